"""Service commands: ``prereview serve``, ``prereview worker``, ``prereview keys …``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from engine.errors import PrereviewError

keys_app = typer.Typer(help="API keys (each with one role).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.command()(worker)
    app.add_typer(keys_app, name="keys")


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
) -> None:
    """Serve the API (and web pages). With no settings: SQLite, a local object
    directory and work done in-process, so no other service is needed."""
    import uvicorn

    from .http import create_app
    from .logs import configure_logging
    from .runtime import build_runtime

    configure_logging(os.environ.get("PREREVIEW_LOG_LEVEL", "INFO"))
    try:
        runtime = build_runtime()
    except PrereviewError as error:
        typer.echo(f"error [{error.code}] {error.message}", err=True)
        raise typer.Exit(error.exit_code) from error
    uvicorn.run(create_app(runtime), host=host, port=port, log_config=None,
                access_log=False)


def worker(
    concurrency: Annotated[int, typer.Option(help="worker processes on this machine")] = 1,
) -> None:
    """A Celery worker (needs PREREVIEW_BROKER_URL); run as many as you like, anywhere."""
    from .config import ServiceSettings
    from .logs import configure_logging
    from .worker import celery

    settings = ServiceSettings()
    try:
        settings.refuse_insecure()
    except PrereviewError as error:
        typer.echo(f"error [{error.code}] {error.message}", err=True)
        raise typer.Exit(error.exit_code) from error
    if not settings.broker_url:
        typer.echo("error [service.no_broker] set PREREVIEW_BROKER_URL (redis://host:6379/0) "
                   "to run workers; without it `prereview serve` works in-process", err=True)
        raise typer.Exit(2)
    configure_logging(os.environ.get("PREREVIEW_LOG_LEVEL", "INFO"))
    celery.worker_main(["worker", "--loglevel", "INFO", "--concurrency", str(concurrency),
                        "--pool", "prefork", "-Q", "prereview", "--without-gossip",
                        "--without-mingle"])


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="intake | approver | compliance | system | admin")],
    label: Annotated[str, typer.Option(help="who or what the key is for")] = "",
) -> None:
    """Print a new API key (shown once; only its hash is kept)."""
    from .keys import ROLES, UnknownRole, create_key
    from .runtime import build_runtime

    if role not in ROLES:
        typer.echo(f"error [{UnknownRole.code}] unknown role {role!r}: use one of "
                   f"{', '.join(ROLES)}", err=True)
        raise typer.Exit(2)
    runtime = build_runtime(dispatcher="in-process")
    with runtime.sessions() as session:
        typer.echo(create_key(session, role, label))


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the id: prk_<id>_…")]) -> None:
    """Revoke a key at once."""
    from .keys import revoke_key
    from .runtime import build_runtime

    runtime = build_runtime(dispatcher="in-process")
    with runtime.sessions() as session:
        if not revoke_key(session, key_id):
            typer.echo(f"error [keys.not_found] no key {key_id}", err=True)
            raise typer.Exit(2)
    typer.echo(f"revoked {key_id}")
