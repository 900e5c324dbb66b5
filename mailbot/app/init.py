"""`mailbot init DIR`: a new campaign folder for a real deployment.

The folder holds config.toml (the packaged 2026 campaign with its comments, to edit,
or the campaign read from a notice with --notice) and var/ (the store, the archive
and the local outbox), private to the operator. Nothing is overwritten: an
existing config.toml stops the command.
"""

from __future__ import annotations

from pathlib import Path

from mailbot.campaign.config_toml import campaign_toml
from mailbot.campaign.draft import CampaignDraft
from mailbot.campaign.notice import read_notice
from mailbot.campaign.notice_files import NoticeError, read_notice_file
from mailbot.config import PACKAGED_CONFIG


class InitError(Exception):
    """The folder cannot be made into a campaign folder; the text says why."""


def init_campaign(folder: Path, notice: Path | None = None) -> tuple[Path, CampaignDraft | None]:
    """Write DIR/config.toml and DIR/var/; the config's path, and the notice's draft if any."""
    target = folder / "config.toml"
    if target.exists():
        raise InitError(f"{target} 已存在，未作改动；如需重新生成，请先移走该文件。")
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} 不是文件夹。")
    default = PACKAGED_CONFIG.read_text(encoding="utf-8")
    try:
        draft = read_notice(read_notice_file(notice)) if notice else None
    except NoticeError as error:
        raise InitError(f"无法读取通知《{notice.name}》：{error}") from None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "var").mkdir(mode=0o700, exist_ok=True)
    target.write_text(campaign_toml(draft, default) if draft else default, encoding="utf-8")
    target.chmod(0o600)
    return target, draft


def draft_summary(draft: CampaignDraft) -> list[str]:
    """What was read from the notice, and every line that could not be (printed by init)."""
    lines = [f"已从通知读出《{draft.form_title}》：{len(draft.items)} 项，"
             f"{len(draft.units)} 个责任单位，{len(draft.quarters)} 个季度报送时间。",
             "各单位邮箱暂为占位地址（@example.invalid），请逐一改为真实地址。"]
    for unread in draft.unread:
        lines.append(f"未能读出：{unread.problem}" + (f"（原文：{unread.line}）" if unread.line else ""))
    return lines


def next_steps(config_path: Path) -> list[str]:
    """What the operator does next, in order (printed by the command)."""
    return [
        f"已生成活动配置：{config_path}",
        "下一步：",
        "  1. 编辑 config.toml：填写各责任单位的真实邮箱、[mailbox] 与 [smtp] 的地址；",
        "  2. 把邮箱授权码放进 password_env 指定的环境变量（不要写进 config.toml）；",
        f"  3. 运行 mailbot --config {config_path} check 检查配置、登录和本机组件；",
        f"  4. 运行 mailbot --config {config_path} run 启动（或按 docs/running.md 装成服务）。",
    ]
