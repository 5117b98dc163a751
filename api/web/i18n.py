"""The pages' words: Simplified Chinese by default, English on request (``?lang=en``,
remembered in the ``lang`` cookie). Every text a page shows comes from here."""

from __future__ import annotations

from fastapi import Request

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_COOKIE = "lang"

# key -> (zh, en)
MESSAGES: dict[str, tuple[str, str]] = {
    # frame
    "app.name": ("贷款预审", "Loan pre-review"),
    "nav.intake": ("受理", "Intake"),
    "nav.approver": ("审批", "Approval"),
    "nav.compliance": ("合规", "Compliance"),
    "nav.signout": ("退出", "Sign out"),
    "nav.role": ("角色：{role}", "Role: {role}"),
    "sep.colon": ("：", ": "),
    "unit.yuan": ("元", "yuan"),
    "unit.months": ("个月", "months"),
    "lang.switch": ("English", "中文"),
    "role.intake": ("受理岗", "intake"),
    "role.approver": ("审批岗", "approver"),
    "role.compliance": ("合规", "compliance"),
    "role.system": ("系统", "system"),
    "role.admin": ("管理员", "administrator"),
    "common.back": ("返回", "Back"),
    "common.save": ("保存", "Save"),
    "common.cancel": ("取消", "Cancel"),
    "common.none": ("无", "none"),
    "common.loading": ("加载中…", "Loading…"),
    "common.error": ("出错了", "Something went wrong"),
    "common.search": ("查询", "Search"),
    "common.reset": ("清除", "Clear"),
    "common.all": ("全部", "all"),
    "common.open": ("打开", "Open"),
    # sign in
    "signin.title": ("登录", "Sign in"),
    "signin.intro": ("请粘贴管理员为您生成的 API 密钥（以 prk_ 开头）。密钥只用于本次登录，"
                     "不会保存在浏览器中。",
                     "Paste the API key your administrator made for you (it starts with prk_). "
                     "The key is used to sign you in and is not kept in the browser."),
    "signin.key": ("API 密钥", "API key"),
    "signin.submit": ("登录", "Sign in"),
    "signin.bad_key": ("密钥无效或已被吊销，请核对后重试。",
                       "The key is unknown or revoked: check it and try again."),
    "signin.ended": ("登录已过期，请重新登录。", "Your sign-in has ended: sign in again."),
    "signin.no_pages": ("此角色没有网页，请通过 API 使用本服务。",
                        "This role has no pages: use the service through its API."),
    # forbidden / not found
    "forbidden.title": ("无权访问", "Not allowed"),
    "forbidden.body": ("您的角色（{role}）不能打开此页面。", "Your role ({role}) may not open "
                       "this page."),
    "forbidden.home": ("返回我的首页", "Go to my start page"),
    "notfound.title": ("未找到", "Not found"),
    "notfound.body": ("没有这个案件或页面。", "There is no such case or page."),
    # case words
    "case.id": ("案件编号", "Case"),
    "case.product": ("产品", "Product"),
    "case.status": ("状态", "Status"),
    "case.verdict": ("预审结论", "Verdict"),
    "case.created": ("创建时间", "Created"),
    "case.documents": ("材料", "Documents"),
    "case.applicant": ("申请人", "Applicant"),
    "case.loan": ("贷款", "Loan"),
    "product.mortgage": ("住房按揭贷款", "mortgage"),
    "product.car_loan": ("汽车贷款", "car loan"),
    "product.consumer": ("个人消费贷款", "consumer loan"),
    "status.received": ("已受理", "received"),
    "status.queued": ("排队中", "queued"),
    "status.reading": ("读取中", "reading"),
    "status.evaluating": ("规则评估中", "evaluating"),
    "status.done": ("已完成", "done"),
    "status.failed": ("失败", "failed"),
    "verdict.pass": ("通过", "pass"),
    "verdict.conditional": ("有条件通过", "conditional pass"),
    "verdict.reject": ("拒绝", "reject"),
    "verdict.none": ("尚无", "not yet"),
    "severity.reject": ("拒绝项", "reject"),
    "severity.condition": ("附条件项", "condition"),
    "severity.info": ("提示", "info"),
    "method.equal_installment": ("等额本息", "equal instalments"),
    "method.equal_principal": ("等额本金", "equal principal"),
    "method.interest_only": ("按月还息到期还本", "interest monthly, principal at the end"),
    "kind.id_card_front": ("身份证人像面", "ID card, front"),
    "kind.id_card_back": ("身份证国徽面", "ID card, back"),
    "kind.property_certificate": ("不动产权证书", "property certificate"),
    "kind.pay_slip": ("工资条", "pay slip"),
    "kind.income_certificate": ("收入证明", "income certificate"),
    "kind.bank_statement": ("银行流水", "bank statement"),
    "kind.unknown": ("无法识别", "not recognised"),
    "kind.pending": ("待读取", "not read yet"),
    "doc.stored": ("已上传", "uploaded"),
    "doc.reading": ("读取中", "reading"),
    "doc.read": ("已读取", "read"),
    # intake
    "intake.title": ("受理：案件", "Intake: cases"),
    "intake.new": ("新建案件", "New case"),
    "intake.recent": ("最近的案件", "Recent cases"),
    "intake.no_cases": ("还没有案件。", "No cases yet."),
    "intake.new_title": ("新建案件", "New case"),
    "intake.name": ("申请人姓名", "Applicant's name"),
    "intake.id_number": ("公民身份号码", "ID number"),
    "intake.phone": ("手机号码", "Mobile phone"),
    "intake.application_date": ("申请日期", "Application date"),
    "intake.amount": ("贷款金额（元）", "Loan amount (yuan)"),
    "intake.term": ("期限（月）", "Term (months)"),
    "intake.rate": ("年利率（%）", "Annual rate (%)"),
    "intake.method": ("还款方式", "Repayment method"),
    "intake.case_id_optional": ("案件编号（可不填，自动生成）", "Case id (optional: made for you)"),
    "intake.create": ("创建案件", "Create the case"),
    "intake.required": ("必填", "required"),
    "intake.greater_than": ("必须大于 {n}", "must be greater than {n}"),
    "intake.at_most": ("不能大于 {n}", "must be at most {n}"),
    "intake.at_least": ("不能小于 {n}", "must be at least {n}"),
    "intake.less_than": ("必须小于 {n}", "must be less than {n}"),
    "intake.fix_fields": ("请修改标红的项目", "Correct the fields marked in red"),
    "intake.files": ("申请材料", "The applicant's files"),
    "intake.drop": ("将文件拖到这里，或点击选择文件（可多选：照片、扫描件、PDF）",
                    "Drop files here, or click to choose (many at once: photos, scans, PDFs)"),
    "intake.uploading": ("上传中", "uploading"),
    "intake.upload_failed": ("上传失败", "upload failed"),
    "intake.file": ("文件", "File"),
    "intake.kind": ("识别为", "Recognised as"),
    "intake.progress": ("进度", "Progress"),
    "intake.actions": ("操作", "Actions"),
    "intake.replace": ("替换", "Replace"),
    "intake.remove": ("删除", "Remove"),
    "intake.remove_confirm": ("删除这个文件？", "Remove this file?"),
    "intake.checklist": ("材料清单", "Checklist"),
    "intake.checklist_intro": ("根据产品要求核对材料；读取完成后即时更新。",
                               "What the product requires, updated as files are read."),
    "intake.present": ("已齐", "present"),
    "intake.missing": ("缺少", "missing"),
    "intake.unreadable": ("无法识别", "unreadable"),
    "intake.waiting": ("等待读取", "waiting to be read"),
    "intake.verify": ("开始预审", "Start verification"),
    "intake.verify_again": ("重新预审", "Verify again"),
    "intake.verify_hint": ("材料齐全后开始预审；缺少材料也可开始，结论会列出需补正的项目。",
                           "Start when the files are complete; you may start anyway and the "
                           "verdict will list what to supply."),
    "intake.result": ("预审结果", "Result"),
    "intake.corrections": ("需要补正", "To supply or fix"),
    "intake.no_corrections": ("无需补正。", "Nothing to supply."),
    "intake.busy": ("预审进行中，完成后才能修改材料。",
                    "Verification is running: files can be changed when it is done."),
    "intake.documents_read": ("已读取 {read}/{total} 个文件", "{read} of {total} files read"),
    "intake.failed": ("预审失败：{message}", "Verification failed: {message}"),
    "intake.problem_hint": ("处理建议", "What to do"),
    # approver
    "approver.title": ("审批：案件列表", "Approval: cases"),
    "approver.filter_since": ("起始日期", "From"),
    "approver.filter_until": ("截止日期", "Until"),
    "approver.filter_q": ("案件编号", "Case id"),
    "approver.no_cases": ("没有符合条件的案件。", "No case matches."),
    "approver.report": ("审批报告", "Report"),
    "approver.print": ("打印", "Print"),
    "approver.unmasked": ("显示未脱敏信息", "Show personal data"),
    "approver.masked": ("脱敏显示", "Mask personal data"),
    "approver.pdf": ("下载 PDF", "Download PDF"),
    "approver.evidence": ("证据原页", "Evidence on the page"),
    "approver.evidence_intro": ("每条发现的证据在原始页面上以红框标出；个人信息已遮盖。",
                                "Each finding's evidence is boxed in red on its page; personal "
                                "data is pixelated."),
    "approver.no_position": ("此证据没有页面位置。", "This evidence has no position on a page."),
    "approver.figures": ("关键指标与还款计划", "Figures and repayment schedule"),
    "approver.schedule": ("还款计划", "Repayment schedule"),
    "approver.month": ("期数", "Month"),
    "approver.payment": ("月供", "Payment"),
    "approver.principal": ("本金", "Principal"),
    "approver.interest": ("利息", "Interest"),
    "approver.total_paid": ("还款总额", "Total repaid"),
    "approver.total_interest": ("利息总额", "Total interest"),
    "approver.show_all": ("显示全部 {n} 期", "Show all {n} months"),
    "approver.not_done": ("此案件尚未完成预审（{status}）。", "This case has no verdict yet "
                          "({status})."),
    "approver.field": ("字段", "Field"),
    "approver.value": ("读取值", "Value read"),
    "approver.confidence": ("置信度", "Confidence"),
    "approver.action": ("处理建议", "Action"),
    "figure.monthly_payment": ("月供", "monthly payment"),
    "figure.monthly_income": ("核实月收入", "verified monthly income"),
    "figure.income_ratio": ("收入/月供", "income ÷ payment"),
    "figure.debt_ratio": ("负债收入比", "debt-to-income"),
    "figure.not_evaluated": ("未评估", "not evaluated"),
    # compliance
    "compliance.title": ("合规：规则", "Compliance: rules"),
    "compliance.live": ("生效中的规则集", "Rule set in force"),
    "compliance.files": ("规则文件", "Rule files"),
    "compliance.drafts": ("草稿", "Drafts"),
    "compliance.new_draft": ("基于生效规则新建草稿", "New draft from the rules in force"),
    "compliance.no_drafts": ("没有草稿。", "No drafts."),
    "compliance.versions": ("版本历史", "Version history"),
    "compliance.no_versions": ("还没有版本记录。", "No versions yet."),
    "compliance.version": ("版本", "Version"),
    "compliance.published": ("发布时间", "Published"),
    "compliance.published_by": ("发布人", "By"),
    "compliance.note": ("说明", "Note"),
    "compliance.cases": ("使用案件数", "Cases"),
    "compliance.draft": ("草稿", "Draft"),
    "compliance.rules_count": ("{n} 条规则", "{n} rules"),
    "compliance.updated": ("更新时间", "Updated"),
    "compliance.edit": ("编辑", "Edit"),
    "compliance.delete_draft": ("删除草稿", "Delete draft"),
    "compliance.valid": ("校验通过", "valid"),
    "compliance.invalid": ("有 {n} 个问题", "{n} problem(s)"),
    "compliance.saved": ("已保存", "saved"),
    "compliance.save_validate": ("保存并校验", "Save and validate"),
    "compliance.problems": ("问题", "Problems"),
    "compliance.line": ("第 {line} 行", "line {line}"),
    "compliance.run_tests": ("运行场景测试", "Run the scenario tests"),
    "compliance.tests_result": ("{passed} 个通过，{failed} 个失败",
                                "{passed} passed, {failed} failed"),
    "compliance.backtest": ("用历史案件回测", "Backtest against stored cases"),
    "compliance.backtest_result": ("回测 {total} 个案件：{changed} 个结论会改变",
                                   "{total} cases backtested: {changed} verdicts would change"),
    "compliance.backtest_none": ("没有结论改变。", "No verdict would change."),
    "compliance.before": ("原结论", "Before"),
    "compliance.after": ("新结论", "After"),
    "compliance.why": ("原因（发现的变化）", "Why (findings that change)"),
    "compliance.publish": ("发布为新版本", "Publish as a new version"),
    "compliance.publish_note": ("发布说明（必填）", "What changed (required)"),
    "compliance.publish_done": ("已发布版本 {version}", "Published version {version}"),
    "compliance.publish_unavailable": ("发布功能尚未就绪（engine/rulesets.py）。",
                                       "Publishing is not available yet (engine/rulesets.py)."),
    "compliance.backtest_unavailable": ("回测功能尚未就绪（engine/backtest.py）。",
                                        "Backtesting is not available yet (engine/backtest.py)."),
    "compliance.read_only": ("只读：生效的规则文件不能直接修改，请新建草稿。",
                             "Read only: rules in force change through a draft."),
    "compliance.unsaved": ("有未保存的修改", "unsaved changes"),
    "compliance.working": ("处理中…", "working…"),
    # what intake does about a missing or unreadable file
    "need.id_card_front": ("请上传身份证人像面（有照片的一面）", "Upload the ID card's front (the "
                           "side with the photo)"),
    "need.id_card_back": ("请上传身份证国徽面（背面，有有效期限的一面）",
                          "Upload the ID card's back (the emblem side, with the validity "
                          "period)"),
    "need.income": ("请上传工资条或单位开具的收入证明", "Upload a pay slip or an income "
                    "certificate from the employer"),
    "need.bank_statement": ("请上传近 6 个月以上的银行流水（电子版 PDF 最佳）", "Upload a bank "
                            "statement covering 6 months or more (the bank's PDF is best)"),
    "need.property_certificate": ("请上传不动产权证书（房产证）", "Upload the property "
                                  "certificate"),
    "need.other": ("请上传：{label}", "Upload: {label}"),
    "hint.read.kind_unknown": ("无法识别材料类型：确认是所需材料，"
                               "并上传更清晰、完整的照片或扫描件。",
                               "Not recognised: check it is the right document and upload a "
                               "clearer, complete photo or scan."),
    "hint.read.image_too_blurry": ("图像模糊：请在光线充足处平放重拍，对焦清晰、四角完整、无反光。",
                                   "Blurred: re-shoot it flat in good light, in focus, all four "
                                   "corners in the frame, no glare."),
    "hint.read.field_missing": ("关键字段未能读取：请平放重拍，避免反光和遮挡。",
                                "A key field could not be read: re-shoot it flat, without glare "
                                "or anything covering it."),
    "hint.read.unreadable.empty": ("文件为空：请重新上传。", "The file is empty: upload it again."),
    "hint.read.unreadable.unsupported_type": ("不支持的文件格式：请上传 JPG、PNG、TIFF 或 PDF。",
                                              "Unsupported format: upload a JPG, PNG, TIFF or "
                                              "PDF."),
    "hint.read.unreadable.corrupt_image": ("图像已损坏：请重新拍照或扫描。",
                                           "The image is damaged: take the photo or scan again."),
    "hint.read.unreadable.corrupt_pdf": ("PDF 已损坏或不完整：请重新下载或导出。",
                                         "The PDF is damaged or cut short: download or export "
                                         "it again."),
    "hint.read.unreadable.encrypted_pdf": ("PDF 有密码保护：请索取无密码的版本。",
                                           "The PDF has a password: ask for a copy without one."),
    "hint.read.unreadable.too_large": ("文件页数或像素过多：请拆分或以 300 dpi 扫描。",
                                       "Too many pages or pixels: split it or scan at 300 dpi."),
}

JS_KEYS = tuple(k for k in MESSAGES if k.split(".")[0] in (
    "intake", "compliance", "kind", "doc", "status", "verdict", "severity", "common", "need",
    "hint", "case", "sep"))


def choose_lang(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Chinese."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in LANGS:
            return value
    return DEFAULT_LANG


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self._index = LANGS.index(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        pair = MESSAGES.get(key)
        text = pair[self._index] if pair else key
        return text.format(**values) if values else text

    def catalogue(self) -> dict[str, str]:
        """What the page's scripts need, in this language."""
        return {k: MESSAGES[k][self._index] for k in JS_KEYS}
