"""The web pages for bank staff (intake 受理, approver 审批, compliance 合规): server-rendered
Jinja2 pages and small scripts, all served by the service itself (no CDN, no build step).
``api.web.mount.mount_web(app)`` adds them to the FastAPI application."""
