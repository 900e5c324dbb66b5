"""Connection rules shared by the IMAP source and the SMTP transport.

Passwords come from the environment, never from config.toml; a password is sent
unencrypted only to a loopback address or where the config allows it; and a
failed login is explained in plain Chinese to the federation's staff, who often
type the web-mail password where QQ, Exmail and 163 want an app code (授权码).
"""

from __future__ import annotations

import ipaddress
import re
import os
import socket
import ssl

APP_CODE_DOMAINS = {
    "qq.com": "QQ 邮箱",
    "exmail.qq.com": "腾讯企业邮箱",
    "163.com": "网易 163 邮箱",
    "126.com": "网易 126 邮箱",
    "yeah.net": "网易 yeah.net 邮箱",
}


class MissingSecret(Exception):
    """The environment variable that should hold a password is not set, or holds one
    the login cannot carry."""


def password_from_env(variable: str, section: str) -> str:
    """The password held by `variable`; a clear error naming it (never showing the value)
    when unset, or when it is not ASCII (the IMAP and SMTP logins cannot carry it)."""
    if not variable:
        raise MissingSecret(f"[{section}] password_env 为空：请填写保存密码的环境变量名")
    value = os.environ.get(variable)
    if not value:
        raise MissingSecret(f"环境变量 {variable} 没有设置；它应保存 [{section}] 的密码"
                            "（见 docs/mailbox-setup.zh.md）")
    if not value.isascii():
        raise MissingSecret(f"环境变量 {variable} 中的密码含有中文或其他非 ASCII 字符，邮件服务器"
                            "的登录无法传送；请确认密码（QQ、163 等邮箱应填写授权码），"
                            "或在邮箱设置中改为只含字母、数字和符号的密码")
    return value


def tls_context(endpoint) -> ssl.SSLContext:
    """The system's trusted CAs, plus the section's `ca_file` (a self-signed or
    internal-CA certificate, as offices have them) when it names one."""
    return ssl.create_default_context(cafile=getattr(endpoint, "ca_file", "") or None)


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plaintext_allowed(host: str, allow_plaintext: bool) -> bool:
    """A password may cross an unencrypted link only on this machine or by explicit consent."""
    return allow_plaintext or is_loopback(host)


def app_code_hint(host: str) -> str:
    """The 授权码 advice for providers that refuse the web login password ('' otherwise)."""
    host = host.lower().rstrip(".")
    for domain, name in sorted(APP_CODE_DOMAINS.items(), key=lambda kv: -len(kv[0])):
        if host == domain or host.endswith("." + domain):
            return (f"{name}的客户端登录要用“授权码”（客户端专用密码），不是网页登录密码：请在"
                    f"{name}网页版“设置”中开启 IMAP/SMTP 服务并生成授权码，"
                    "把授权码放进 password_env 指定的环境变量。")
    return ""


def explain_failure(service: str, host: str, port: int, error: BaseException) -> str:
    """Plain words for the staff: what went wrong connecting to `service` and what to do."""
    where = f"{service} 服务器 {host}:{port}"
    if isinstance(error, MissingSecret):
        return f"{where}：没有密码。{error}"
    if isinstance(error, socket.gaierror):
        return f"{where}：找不到这个主机名，请检查 config.toml 中的地址是否拼写正确。"
    if isinstance(error, ConnectionRefusedError):
        return f"{where}：连接被拒绝，请检查端口号，以及邮箱是否已开启 {service} 服务。"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return (f"{where}：连接超时，请检查网络、防火墙或端口号；如该端口是 SSL 加密端口"
                "（IMAP 993、SMTP 465），地址应写 imaps:// 或 smtps://。")
    if isinstance(error, ssl.SSLCertVerificationError):
        section = "mailbox" if service == "IMAP" else "smtp"
        return (f"{where}：服务器证书无法验证（{error.verify_message}）。如服务器使用自签名证书或"
                f"单位内部 CA 签发的证书，请把该 CA 证书（PEM 文件）的路径写入 config.toml [{section}]"
                " 的 ca_file；否则请确认地址中的主机名与证书一致。")
    if isinstance(error, ssl.SSLError):
        return f"{where}：加密连接失败（{error}），请检查端口与加密方式（imaps/smtps 或 STARTTLS）是否匹配。"
    if isinstance(error, OSError):
        return f"{where}：网络错误（{plain(str(error))}）。"
    return f"{where}：{plain(str(error))}"


def explain_login_refused(service: str, host: str, user: str, detail: str) -> str:
    """Why a login was refused, with the 授权码 advice where the provider needs it."""
    hint = app_code_hint(host) or "请核对用户名和密码，并确认邮箱已开启 " + service + " 服务。"
    return f"{service} 服务器 {host} 拒绝了用户 {user} 的登录（{plain(detail)}）。{hint}"


def plain(detail: str) -> str:
    """A server's answer as staff should read it: imaplib and smtplib hand it over as
    Python bytes reprs (b'[AUTHENTICATIONFAILED] ...'), which must not reach a person."""
    text = re.sub(r"""\bb(['"])(.*?)\1""", r"\2", detail)
    return re.sub(r"^\((\d{3}), (.*)\)$", r"\1 \2", text)
