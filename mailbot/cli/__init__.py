"""The `mailbot` command line (docs/design.md "Contracts"): parse, open, call a job, print.

Exit status: 0 success, 1 the work failed, 2 bad usage or bad config.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path

import click

from mailbot import config as config_module
from mailbot.cli.usage import Choice, Group, Number, Wrong, bad_value
from mailbot.cli.usage import Path as PathType
from mailbot.config import Config, ConfigError
from mailbot.core.clock import Clock, parse_moment
from mailbot.core.models import MailState

log = logging.getLogger("mailbot")


class App:
    """What the global options give every command: the config, loaded once, and the clock."""

    def __init__(self, config_path: str | None, now: str | None):
        self.config_path = config_path
        self.now_text = now
        self._config: Config | None = None
        self._context = None

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = config_module.load(self.config_path)
            except ConfigError as error:
                click.echo(str(error), err=True)
                sys.exit(2)
        return self._config

    @property
    def clock(self) -> Clock:
        return Clock(parse_now(self.now_text, self.config.campaign.timezone))

    def context(self):
        """The command's one Context: opened on first use, closed when the command ends
        (main registers close)."""
        from mailbot.app.pipeline import Context
        from mailbot.store import StoreUnusable

        if self._context is None:
            try:
                self._context = Context.open(self.config, self.clock)
            except StoreUnusable as error:
                click.echo(str(error), err=True)
                sys.exit(1)
        return self._context

    def close(self) -> None:
        if self._context is not None:
            self._context.close()
            self._context = None


def parse_now(text: str | None, zone: str, option: str = "--now") -> datetime | None:
    """--now (or another moment option) as a moment; a bad value is a usage error naming
    the option."""
    try:
        return parse_moment(text, zone)
    except ValueError as error:
        raise bad_value(click.get_current_context(silent=True), option, str(error)) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]},
             help="报表收集助手：按季度通过邮件收取各责任单位的进展报表，催报未报单位，生成汇总表。")
@click.option("--config", "config_path", envvar="MAILBOT_CONFIG", metavar="文件",
              help="使用的配置文件（默认：当前文件夹的 config.toml，或环境变量 MAILBOT_CONFIG）。")
@click.option("--now", envvar="MAILBOT_NOW", metavar="日期时间",
              help="按指定时间判断截止日期、提醒和预览，如 2026-10-12T10:00。")
@click.option("-v", "--verbose", is_flag=True, help="日志中记录详细信息。")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, now: str | None, verbose: bool) -> None:
    """mailbot: collect quarterly progress reports by e-mail, chase late units,
    and compile the consolidated report."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S%z", force=True)
    # the scheduler's "Running job ..." lines every tick are noise at INFO
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
    ctx.obj = App(config_path, now)
    ctx.call_on_close(ctx.obj.close)


def quarter_option(function):
    return click.option("--quarter", metavar="季度",
                        help="季度，如 2026Q3（默认：正在收集的季度）。")(
        function)


def resolve_quarter(app: App, quarter: str | None) -> str:
    from mailbot.chase.status import current_quarter

    if quarter is None:
        return current_quarter(app.config.campaign, app.clock())
    names = [q.name for q in app.config.campaign.quarters]
    if quarter not in names:
        raise bad_value(click.get_current_context(silent=True), "--quarter",
                        f"{quarter} 不在 config.toml 的 [quarters] 中（可选：{'、'.join(names)}）。")
    return quarter


@main.command(help="把保存下来的邮件（.eml 文件）当作刚收到的邮件导入。")
@click.argument("files", nargs=-1, required=True, metavar="文件",
                type=PathType(exists=True, dir_okay=False))
@click.option("--received", "received_text", metavar="日期时间",
              help="邮件的收到时间（默认：各文件的修改时间；从不采用邮件的 Date 头）。")
@click.pass_obj
def ingest(app: App, files: tuple[str, ...], received_text: str | None) -> None:
    """Ingest saved messages (.eml) as if they had just arrived."""
    from mailbot.app.pipeline import ingest_files
    from mailbot.store import StoreUnavailable

    received = parse_now(received_text, app.config.campaign.timezone, "--received")
    try:
        with worker_lock_held(app), told_on_screen() as tell:
            outcomes = ingest_files(app.context(), [Path(f) for f in files],
                                    tell=tell, received=received)
    except StoreUnavailable as error:
        raise Refused(str(error)) from None
    if any(outcome.state == MailState.FAILED for outcome in outcomes):
        sys.exit(1)


@main.command(help="读取报表文件，列出识别出的各行（不需要数据库）。")
@click.argument("files", nargs=-1, required=True, metavar="文件",
                type=PathType(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="按 docs/design.md 的格式输出 JSON。")
@click.pass_obj
def extract(app: App, files: tuple[str, ...], as_json: bool) -> None:
    """Read report documents and print the rows found (no store needed)."""
    from mailbot.extract import extract_path, format_table
    from mailbot.intake.stamped import annotate

    campaign = app.config.campaign
    results = annotate(campaign, [e for f in files for e in extract_path(Path(f), campaign)])
    if as_json:
        click.echo(json.dumps([e.to_json() for e in results], ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(results))
    if all(e.error for e in results):
        sys.exit(1)


@main.command(help="某季度各单位的报送情况：按时报送、逾期报送、材料不全、未报送。")
@quarter_option
@click.option("--json", "as_json", is_flag=True, help="按 docs/design.md 的格式输出 JSON。")
@click.pass_obj
def status(app: App, quarter: str | None, as_json: bool) -> None:
    """Who has reported for a quarter: on time, late, incomplete, missing."""
    from mailbot.app.display import mailbox_line, outbox_line, status_table
    from mailbot.app.freshness import health
    from mailbot.chase.status import status_json, unit_statuses

    quarter = resolve_quarter(app, quarter)
    ctx = app.context()
    statuses = unit_statuses(app.config.campaign, quarter, ctx.current(quarter))
    read = health(ctx)
    if as_json:
        data = status_json(app.config.campaign, quarter, statuses)
        data["mailbox"] = {"read_at": read.read_at, "readable": read.ok,
                           "failing_since": read.failing_since}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(status_table(app.config.campaign, quarter, statuses))
        click.echo(mailbox_line(read, app.config.campaign.timezone))
        if line := outbox_line(ctx.store.outbox_counts()):
            click.echo(line)


@main.command("compile", help="按通知附件格式生成某季度（或全年）的汇总表。")
@quarter_option
@click.option("-o", "--output", metavar="文件", type=PathType(dir_okay=False),
              help="保存到的文件（默认：按标题命名，放在当前文件夹）。")
@click.option("--format", "fmt", type=Choice(["docx", "pdf", "xlsx"]), default="docx",
              help="文件格式（默认 docx）。")
@click.option("--year", metavar="年份", type=Number(), help="全年汇总：各事项逐季度列出。")
@click.option("--send", is_flag=True, help="同时立即把汇总邮件连同汇总表发给区妇联。")
@click.pass_obj
def compile_(app: App, quarter: str | None, output: str | None, fmt: str, year: int | None,
             send: bool) -> None:
    """Write the consolidated report for a quarter (or a year) in the official form."""
    from mailbot.app.notices import compile_report, send_summary, statuses
    from mailbot.app.review import operator
    from mailbot.core.models import quarter_label
    from mailbot.report.content import ReportError
    from mailbot.report.coverage import coverage, early_warning

    quarter = resolve_quarter(app, quarter)
    ctx = app.context()
    if send:
        read_first(app, ctx)  # the federation is told what has arrived up to now
    if year is None:
        covered = coverage(app.config.campaign, quarter, statuses(ctx, quarter))
        if warning := early_warning(app.config.campaign, covered, app.clock()):
            click.echo(warning, err=True)
        click.echo(covered.line())
    try:
        written = compile_report(ctx, quarter, Path(output) if output else Path("."), fmt, year)
    except ReportError as error:
        raise Refused(str(error)) from None
    click.echo(f"已生成汇总表：{written}")
    if send:
        result = send_summary(ctx, ctx.transport, quarter, operator())
        click.echo(f"{quarter_label(quarter)}的汇总邮件已放入发件队列；"
                   f"本次发出{result.sent}封，未能发出{result.failed}封")
        if result.failed:
            sys.exit(1)


@main.command(help="发送现在应发的提醒（截止日前提醒，逾期后催报）。")
@quarter_option
@click.option("--dry-run", is_flag=True, help="只显示现在会发出哪些提醒，不发送。")
@click.option("--json", "as_json", is_flag=True, help="按 docs/design.md 的格式输出 JSON。")
@click.pass_obj
def remind(app: App, quarter: str | None, dry_run: bool, as_json: bool) -> None:
    """Send the reminders due now (提醒 before the due date, 催报 after it)."""
    from mailbot.app.display import sent_line
    from mailbot.app.notices import reminders_due, remind_now
    from mailbot.app.review import operator

    if quarter is not None:
        quarter = resolve_quarter(app, quarter)
    ctx = app.context()
    if not dry_run:
        read_first(app, ctx)
    result = None if dry_run else remind_now(ctx, ctx.transport, quarter, actor=operator())
    reminders = result.reminders if result else reminders_due(ctx, quarter)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in reminders], ensure_ascii=False, indent=2))
    else:
        for r in reminders:
            click.echo(f"{r.quarter} {r.stage:<9} {r.unit}：{r.subject}")
        click.echo(f"现在应发提醒 {len(reminders)} 封" + ("（仅预览，未发送）" if dry_run else ""))
    if result:
        if not as_json:
            click.echo(sent_line(result.sent, result.failed))
        if result.failed:
            sys.exit(1)


class Refused(click.ClickException):
    """A command that cannot go on: its reason alone on stderr, in Chinese (click's own
    show() puts an English "Error: " before it), exit status 1."""

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


@contextlib.contextmanager
def told_on_screen():
    """What became of each mail, a Chinese line on the terminal as it happens (the lines of
    a burst a batch at a time: display.Batched), every line out by the end."""
    from mailbot.app.display import Batched, telling

    lines = Batched(click.echo)
    try:
        yield telling(lines)
    finally:
        lines.flush()


def read_first(app: App, ctx) -> None:
    """Read the mailbox up to now before deciding who is late; refuse when it cannot be read."""
    from mailbot.app.freshness import read_mailbox, unreadable

    with told_on_screen() as tell:
        read = read_mailbox(ctx, ctx.source, tell=tell)
    if read is None:
        raise Refused(f"{unreadable(ctx)}本次没有发送；待邮箱可以读取后再发，以免按过时的情况发信。")


@main.command(help="检查配置文件，试登录收件邮箱和发件服务器，并查看本机读取和生成文件所需的组件是否齐全。")
@click.pass_obj
def check(app: App) -> None:
    """Validate config.toml and try the mailbox and SMTP logins."""
    from mailbot.app.machine import survey
    from mailbot.app.pipeline import run_checks

    for warning in app.config.warnings:
        click.echo(f"提醒：{warning}", err=True)
    ok = True
    for passed, explanation in run_checks(app.config):
        click.echo(("正常：" if passed else "问题：") + explanation, err=not passed)
        ok = ok and passed
    for found in survey():  # a missing part is worth knowing, not a failed check
        click.echo(("正常：" if found.present else "提醒：") + found.sentence(),
                   err=not found.present)
    if not ok:
        sys.exit(1)
    click.echo("检查通过。")


@main.command(help="立即收取并登记新邮件，发出回执。")
@click.option("--once", is_flag=True, help="收取一次后退出（默认：持续收取）。")
@click.option("--since", "since_text", metavar="日期",
              help="有意导入该日期（含）以后、但在起始日（[mailbox] since）之前收到的邮件；"
                   "只收取一次。")
@click.option("--quiet", is_flag=True, help="与 --since 同用：只登记较早的邮件，不发回执。")
@click.pass_obj
def poll(app: App, once: bool, since_text: str | None, quiet: bool) -> None:
    """Fetch and ingest new mail now, and send the receipts."""
    from mailbot.app.display import sent_line
    from mailbot.app.freshness import read_mailbox, unreadable
    from mailbot.app.pipeline import flush_outbox, import_older
    from mailbot.store import StoreUnavailable

    since = parse_day(since_text, "--since")
    if not once and since is None:
        from mailbot.app.live import LiveConfig
        from mailbot.app.worker import intake_loop, opened

        def send() -> None:  # the answers intake queued; intake itself never sends
            with opened(app.config, app.clock) as ctx:
                flush_outbox(ctx, ctx.transport)

        from mailbot.store import StoreUnusable

        try:
            with worker_lock_held(app):
                intake_loop(LiveConfig(app.config), app.clock, threading.Event(), send)
        except StoreUnusable as error:
            raise Refused(str(error)) from None
        return
    ctx = app.context()
    ctx.answer = not quiet
    try:
        with worker_lock_held(app), told_on_screen() as tell:
            outcomes = read_mailbox(ctx, ctx.source, tell=tell, since=since)
            if outcomes is None:
                raise Refused(unreadable(ctx))
            if since is not None:
                outcomes += import_older(ctx, since, tell=tell)
    except StoreUnavailable as error:
        raise Refused(str(error)) from None
    finally:
        ctx.source.close()  # the connection goes before the sending starts
    sent, failed = flush_outbox(ctx)  # the transport is opened only for mail to send
    new = [o for o in outcomes if o.state != MailState.DUPLICATE]
    click.echo(f"新邮件 {len(new)} 封；{sent_line(sent, failed)}")
    if failed or any(o.state == MailState.FAILED for o in new):
        sys.exit(1)


@contextlib.contextmanager
def worker_lock_held(app: App):
    """The worker's lock for the block: beside a running `mailbot run` (or another poll),
    reading mail is refused instead of done twice."""
    from mailbot.app.lock import AlreadyRunning, single_instance, worker_lock

    try:
        with single_instance(worker_lock(app.config.store_path)):
            yield
    except AlreadyRunning as error:
        raise Refused(f"另一个 mailbot 进程正在收取邮件，本次未处理任何邮件。{error}") from None


def parse_day(text: str | None, option: str):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_value(click.get_current_context(silent=True), option,
                        f"“{text}”不是日期，请按 2026-09-01 的格式写。") from None


@main.command(help="后台服务：收取邮件（即时或定时）、提醒、汇总、发信。")
@click.pass_obj
def run(app: App) -> None:
    """The scheduled worker: intake (IDLE or polling), reminders, summaries, outbox."""
    from mailbot.app.lock import AlreadyRunning
    from mailbot.app.worker import run_worker
    from mailbot.store import StoreUnusable
    from mailbot.web.serve import serve_in_background, wants_console

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # honoured from the first moment, even
        signal.signal(signum, lambda *_: stop.set())  # before the scheduler takes over
    console = _or_exit(lambda: serve_in_background(app.config, app.clock)
                       ) if wants_console(app.config) else None
    try:
        run_worker(app.config, app.clock, stop)
    except AlreadyRunning as error:
        raise Refused(str(error)) from None
    except StoreUnusable as error:  # systemd shows the unit failed, with this line
        click.echo(str(error), err=True)
        sys.exit(1)
    finally:
        if console:
            console.close()


def _or_exit(action):
    """Run `action`; a bad config section is a usage error (exit status 2)."""
    try:
        return action()
    except ConfigError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except OSError as error:  # the port is taken, or not ours to bind
        raise Refused(f"管理页面无法在该地址监听（{error}），请检查 [web] listen 的端口是否已被占用。") from None


@main.group(invoke_without_command=True,
            help="运行网页管理台（config.toml 的 [web]），按 Ctrl-C 或收到 SIGTERM 时停止。")
@click.option("--listen", metavar="地址:端口", help="代替 [web] 的 listen 设置。")
@click.pass_context
def web(click_ctx: click.Context, listen: str | None) -> None:
    """Serve the staff console ([web] in config.toml) until Ctrl-C or SIGTERM."""
    if click_ctx.invoked_subcommand is not None:
        return
    from mailbot.web.serve import make_server

    app = click_ctx.obj
    server = _or_exit(lambda: make_server(app.config, app.clock, listen))
    click.echo(f"管理页面地址：http://{server.effective_host}:{server.effective_port}/"
               "（按 Ctrl-C 停止）")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@web.command("hash-password", help="读入密码，输出其 argon2 散列，填入 [[web.users]] 的 password_hash。")
def web_hash_password() -> None:
    """Read a password on stdin, print its argon2 hash for [[web.users]] password_hash."""
    from mailbot.web.settings import hash_password

    if sys.stdin.isatty():
        password = click.prompt("请输入密码", hide_input=True,
                                confirmation_prompt="请再输入一次")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise Wrong("标准输入中没有密码。", click.get_current_context(silent=True))
    click.echo(hash_password(password))



@main.command(help="由邮件存档重建数据库；不发送任何邮件（须先停止后台服务）。")
@click.pass_obj
def rebuild(app: App) -> None:
    """Rebuild the store from the raw-mail archive; sends nothing (the worker must be stopped)."""
    from mailbot.app.rebuild import rebuild as rebuild_store
    from mailbot.app.lock import AlreadyRunning

    try:
        with told_on_screen() as tell:
            done = rebuild_store(app.config, app.clock, tell=tell)
    except AlreadyRunning as error:
        raise Refused(str(error)) from None
    counts = "，".join(f"{state} {count} 封" for state, count in sorted(done.states.items()))
    click.echo(f"已由存档重建数据库：共 {done.mails} 封邮件（{counts or '无'}），未发送任何邮件。")
    if done.kept_aside:
        click.echo(f"原数据库文件已移至 {done.kept_aside}，未删除。")


@main.command(help="用本机示例邮箱演示全过程（不需要网络）。")
@click.option("--dir", "folder", default="mailbot-demo", metavar="文件夹",
              type=PathType(file_okay=False), help="演示的配置和数据放在这里（默认 mailbot-demo）。")
@click.pass_obj
def demo(app: App, folder: str) -> None:
    """Run the whole cycle on a local sample mailbox (no network needed)."""
    from mailbot.app.demo import run_demo

    run_demo(Path(folder), app.now_text, echo=click.echo)


@main.command(help="新建一期报送的文件夹：待编辑的 config.toml，以及存放数据的 var/。")
@click.argument("folder", metavar="文件夹", type=PathType(file_okay=True))
@click.option("--notice", metavar="文件", type=PathType(exists=True, dir_okay=False),
              help="通知文件（DOCX、有文字层的 PDF、.doc/.wps，或其文字）：从中读出本期报送的内容。")
def init(folder: str, notice: str | None) -> None:
    """Make a new campaign folder: config.toml to edit, and var/ for the data."""
    from mailbot.app.init import InitError, draft_summary, init_campaign, next_steps

    try:
        path, draft = init_campaign(Path(folder), Path(notice) if notice else None)
    except InitError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    if draft is not None:
        click.echo("\n".join(draft_summary(draft)))
    click.echo("\n".join(next_steps(path)))


@main.command(help="为各单位生成本季度的专用报表：只列本单位负责的事项，进展栏为空。")
@quarter_option
@click.option("-o", "--output", "folder", metavar="文件夹", type=PathType(file_okay=False),
              help="报表保存到的文件夹（默认：config.toml 旁的 var/forms/季度）。")
@click.pass_obj
def forms(app: App, quarter: str | None, folder: str | None) -> None:
    """Make each unit's own form for a quarter: its rows only, progress cells empty."""
    from mailbot.app.forms import write_forms

    quarter = resolve_quarter(app, quarter)
    target = Path(folder) if folder else app.config.base_dir / "var" / "forms" / quarter
    written = write_forms(app.config.campaign, quarter, target)
    for path in written:
        click.echo(str(path))
    click.echo(f"已生成 {len(written)} 个单位的报表，保存在 {target}")


@main.group(invoke_without_command=True,
            help="列出待人工审核、处理失败的邮件和未能发出的邮件；并可对任一封邮件进行处理。")
@click.option("--all", "show_all", is_flag=True, help="列出所有已登记的邮件，不只是待审核和处理失败的。")
@click.pass_context
def review(click_ctx: click.Context, show_all: bool) -> None:
    """List mails held for review or failed, and outgoing mail given up; act on any mail."""
    if click_ctx.invoked_subcommand is None:
        from mailbot.app.display import outbox_table, review_table, unanswered_table
        from mailbot.app.review import unanswered

        ctx = click_ctx.obj.context()
        store, zone = ctx.store, click_ctx.obj.config.campaign.timezone
        click.echo(review_table(store.messages() if show_all else store.messages(MailState.HELD, MailState.FAILED),
                                zone))
        click.echo("")
        if listing := unanswered_table(unanswered(ctx), zone):
            click.echo(listing)
        click.echo(outbox_table(store.failed_outgoing()))


def _review_action(action):
    from mailbot.app.display import outcome_line
    from mailbot.app.review import ReviewError

    try:
        outcome = action()
    except ReviewError as error:  # the refusal's own words, without click's English "Error:"
        click.echo(str(error), err=True)
        sys.exit(1)
    if outcome is not None:
        click.echo(outcome_line(outcome))
        if outcome.state == MailState.FAILED:
            sys.exit(1)


def by_option(function):
    return click.option("--by", "who", default="", metavar="姓名",
                        help="操作人，记入操作记录（默认：环境变量 MAILBOT_OPERATOR，否则为登录名）。")(
        function)


def reason_option(function):
    return click.option("--reason", default="", metavar="原因", help="操作原因，记入操作记录。")(
        function)


@review.command("accept", help="确认一封未计入的邮件（待审核、处理失败、非报送、已撤销）为报送。")
@click.argument("message_id", metavar="编号", type=Number())
@click.option("--unit", metavar="单位", help="计入的单位（默认：邮件中识别出的单位）。")
@click.option("--quarter", metavar="季度", help="计入的季度（默认：识别出的季度）。")
@reason_option
@by_option
@click.pass_obj
def review_accept(app: App, message_id: int, unit: str | None, quarter: str | None,
                  reason: str, who: str) -> None:
    """Count a mail that counts for nobody (held, failed, not a report, rejected)."""
    from mailbot.app.review import accept

    _review_action(lambda: accept(app.context(), message_id, unit, quarter, who, reason))


@review.command("reassign", help="把邮件改为计入另一单位或另一季度。")
@click.argument("message_id", metavar="编号", type=Number())
@click.option("--unit", metavar="单位", help="改为计入的单位。")
@click.option("--quarter", metavar="季度", help="改为计入的季度。")
@reason_option
@by_option
@click.pass_obj
def review_reassign(app: App, message_id: int, unit: str | None, quarter: str | None,
                    reason: str, who: str) -> None:
    """Count a mail for another unit or quarter than the one intake chose."""
    from mailbot.app.review import reassign

    _review_action(lambda: reassign(app.context(), message_id, unit, quarter, who, reason))


@review.command("reject", help="撤销：这封邮件不再计入任何单位（仍保留在数据库中），之前的材料重新计入。")
@click.argument("message_id", metavar="编号", type=Number())
@reason_option
@by_option
@click.pass_obj
def review_reject(app: App, message_id: int, reason: str, who: str) -> None:
    """Make any mail count for nobody (it stays in the store); earlier pieces count again."""
    from mailbot.app.review import reject

    _review_action(lambda: reject(app.context(), message_id, reason, who))


@review.command("confirm-seal", help="人工确认已盖章：记录已有人看过这封邮件 PDF 上的公章。")
@click.argument("message_id", metavar="编号", type=Number())
@reason_option
@by_option
@click.pass_obj
def review_confirm_seal(app: App, message_id: int, reason: str, who: str) -> None:
    """Record that a person saw the seal on the mail's PDF (人工确认已盖章)."""
    from mailbot.app.review import confirm_seal

    _review_action(lambda: confirm_seal(app.context(), message_id, who, reason))


@review.command("confirm-copy", help="人工确认盖章版即本报表：盖章版与报表比对不一致时，核对后确认。")
@click.argument("message_id", metavar="编号", type=Number())
@reason_option
@by_option
@click.pass_obj
def review_confirm_copy(app: App, message_id: int, reason: str, who: str) -> None:
    """Vouch for a stamped copy the check found different from the report (人工确认盖章版即本报表)."""
    from mailbot.app.review import confirm_copy

    _review_action(lambda: confirm_copy(app.context(), message_id, who, reason))


@review.command("requeue", help="由存档原件重新处理一封待审核或处理失败的邮件。")
@click.argument("message_id", metavar="编号", type=Number())
@by_option
@click.pass_obj
def review_requeue(app: App, message_id: int, who: str) -> None:
    """Process a held or failed mail again from its archived copy."""
    from mailbot.app.review import requeue

    _review_action(lambda: requeue(app.context(), message_id, who))


@review.command("log", help="操作记录：每次审核操作的操作人、时间和原因。")
@click.argument("message_id", metavar="编号", type=Number(), required=False)
@click.pass_obj
def review_log(app: App, message_id: int | None) -> None:
    """The audit trail: every review action, with who, when and why."""
    from mailbot.app.display import audit_table

    click.echo(audit_table(app.context().store.audit_trail(message_id),
                           app.config.campaign.timezone))


@review.command("resend", help="重新发送一封已放弃发送的邮件（编号见 mailbot review 的未能发出列表）。")
@click.argument("outgoing_id", metavar="编号", type=Number())
@click.pass_obj
def review_resend(app: App, outgoing_id: int) -> None:
    """Queue an outgoing mail given up again (ID from the outgoing list of `mailbot review`)."""
    from mailbot.app.review import operator, resend

    _review_action(lambda: resend(app.context(), outgoing_id, operator()))
    click.echo(f"第{outgoing_id}号外发邮件已重新排队，后台服务下次发信时发出。")
