"""`mailbot init DIR`: a new campaign folder for a real deployment.

The folder holds config.toml (the packaged 2026 campaign with its comments, to edit)
and var/ (the store, the archive and the local outbox), private to the operator.
Nothing is overwritten: an existing config.toml stops the command.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mailbot.config import PACKAGED_CONFIG


class InitError(Exception):
    """The folder cannot be made into a campaign folder; the text says why."""


def init_campaign(folder: Path) -> Path:
    """Write DIR/config.toml and DIR/var/; return the config's path."""
    target = folder / "config.toml"
    if target.exists():
        raise InitError(f"{target} 已存在，未作改动；如需重新生成，请先移走该文件。")
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} 不是文件夹。")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "var").mkdir(mode=0o700, exist_ok=True)
    shutil.copyfile(PACKAGED_CONFIG, target)
    target.chmod(0o600)
    return target


def next_steps(config_path: Path) -> list[str]:
    """What the operator does next, in order (printed by the command)."""
    return [
        f"已生成活动配置：{config_path}",
        "下一步：",
        "  1. 编辑 config.toml：填写各责任单位的真实邮箱、[mailbox] 与 [smtp] 的地址；",
        "  2. 把邮箱授权码放进 password_env 指定的环境变量（不要写进 config.toml）；",
        f"  3. 运行 mailbot --config {config_path} check 检查配置和登录；",
        f"  4. 运行 mailbot --config {config_path} run 启动（或按 docs/running.md 装成服务）。",
    ]
