"""The scheduled check: ``pingtai check`` — findings for cron, a digest, a group-robot message.

Exit codes: 0 no finding reaches ``--fail-on``; 1 one does; 2 the check could not run (invalid
catalog, missing or unreadable ledger, bad option) or the digest could not be delivered
(``--output`` not writable, webhook failed) — the findings are printed first all the same.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pingtai.cli import app
from pingtai.cli._common import IndentOpt, State, echo_json, err_line, json_indent, output, report_error, state
from pingtai.cli.status_cmds import AsOfOpt, JsonOpt, PlanOpt, _day
from pingtai.errors import CatalogError, PingtaiError

if TYPE_CHECKING:
    from pingtai.catalog import Catalog
    from pingtai.checks import CheckReport


@app.command()
def check(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    plan: PlanOpt = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
    fail_on: Annotated[Literal["at_risk", "off_track", "overdue"], typer.Option(
        "--fail-on", help="达到该级别时退出码为 1：overdue＝报表或任务逾期；off_track＝另加进度滞后；"
                          "at_risk＝另加预警、无数据、数据过期、数据存疑。")] = "off_track",
    output_file: Annotated[Path | None, typer.Option("--output", "-o", help="另将摘要写成 Markdown 文件（原子替换）。",
                                                     show_default=False)] = None,
    new_only: Annotated[bool, typer.Option("--new-only", help="只报告与上次检查相比新增或有变化的事项（每次检查记入台账）。")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="没有达到 --fail-on 级别的事项时不输出（cron 只在需要时发邮件）。")] = False,
    remind_days: Annotated[int | None, typer.Option("--remind-days", min=0, max=366, help="提醒 N 天内到期、尚未报送的报表（0–366）。",
                                                    show_default=False)] = None,
    resubmit_days: Annotated[int, typer.Option("--resubmit-days", min=1, max=60,
                                               help="被退回的报表须在退回后几个工作日内重报（周一至周五，不含法定节假日调整；1–60）。")] = 5,
    webhook: Annotated[str | None, typer.Option("--notify-webhook", help="把摘要推送到钉钉或企业微信群机器人的 webhook 地址。",
                                                show_default=False)] = None,
    webhook_kind: Annotated[Literal["dingtalk", "wecom"] | None, typer.Option(
        "--webhook-kind", help="机器人类型（默认按地址判断：oapi.dingtalk.com 钉钉，qyapi.weixin.qq.com 企业微信，其他按钉钉）。",
        show_default=False)] = None,
    webhook_secret: Annotated[str | None, typer.Option("--webhook-secret", envvar="PINGTAI_WEBHOOK_SECRET",
                                                       help="钉钉机器人“加签”密钥（也可用环境变量 PINGTAI_WEBHOOK_SECRET）。",
                                                       show_default=False)] = None,
) -> None:
    """定时检查（供 cron 使用）：进度滞后、预警、数据未报或过期、报表逾期或被退回、任务逾期、数据存疑，按责任单位列出该做什么、何时前做。

    退出码：0 没有达到 --fail-on 级别的事项；1 有；2 无法检查（计划数据有误、台账不存在或无法读取）或推送失败。

    示例：pingtai check ｜ pingtai check --new-only --quiet --remind-days 7 ｜ pingtai check --json --fail-on at_risk
    """
    from pingtai import service
    from pingtai.notify import check_url

    json_indent(indent, as_json)
    if webhook:
        check_url(webhook)  # a bad URL is a usage error before any work
    st = state(ctx)
    catalog = _catalog(st)
    day = _day(as_of)
    try:
        result = service.check(catalog, service.Store.at(st.db), day, now=dt.datetime.now(dt.UTC), plan=plan,
                               fail_on=fail_on, remind_days=remind_days, new_only=new_only, resubmit_days=resubmit_days)
    except PingtaiError:
        raise  # translated once, in PingtaiGroup (exit 2 for a ledger or name the check cannot use)
    except Exception as exc:
        # A bug, but cron must not read it as "findings" (exit 1): the check could not run.
        err_line(f"错误：检查无法运行（内部错误 {type(exc).__name__}：{exc}）；请将以下信息报告给维护人员。")
        for line in traceback.format_exc().splitlines():
            err_line(line)
        raise typer.Exit(2) from None
    speak = not quiet or result.failed
    if speak:
        _print(result, as_json, indent)
    delivered = _deliver(result, output_file, webhook if speak and result.findings else None, webhook_kind,
                         webhook_secret)
    raise typer.Exit(2 if not delivered else 1 if result.failed else 0)


def _catalog(st: State) -> Catalog:
    """The catalog; an invalid one stops the check with exit 2 (it cannot run), not 1."""
    try:
        return st.catalog()
    except CatalogError as exc:
        report_error(exc)
        raise typer.Exit(2) from None


def _print(result: CheckReport, as_json: bool, indent: int | None) -> None:
    from pingtai.render import registry

    if as_json:
        echo_json(result, indent)
    else:
        registry.show(result, output())


def _deliver(result: CheckReport, output_file: Path | None, webhook: str | None, kind: Literal["dingtalk", "wecom"] | None,
             secret: str | None) -> bool:
    """Write ``--output`` and post to the webhook; report each failure on stderr. True when all went well."""
    from pingtai.errors import PingtaiError
    from pingtai.notify import send
    from pingtai.render import registry
    from pingtai.render.digest import title
    from pingtai.safe_write import write_bytes_atomically

    ok = True
    digest = registry.render(result, "md")
    if output_file is not None:
        try:
            write_bytes_atomically(output_file, digest)
        except PingtaiError as exc:
            report_error(exc)
            ok = False
    if webhook is not None:
        delivery = send(webhook, title(result), digest.decode("utf-8"), kind=kind, secret=secret,
                        timestamp_ms=int(time.time() * 1000))
        if not delivery.ok:
            err_line(f"错误：推送失败：{delivery.message}")
            ok = False
        elif delivery.truncated:
            err_line(f"提示：摘要超过机器人的长度限制，已截断后推送（{delivery.message}）。")
    return ok
