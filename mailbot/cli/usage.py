"""The command line in Chinese: its help, and a mistyped command with what to type instead.

The staff type the commands of docs/guide.zh.md (`mailbot status --quarter 2026Q3`,
`mailbot review accept 12`); click's own words are English ("Usage:", "Options:", "Error:
No such option", "'abc' is not a valid integer"). Here every usage error, click's or ours,
becomes `Wrong`: one Chinese sentence saying what was wrong, then which --help to read,
exit status 2 as before; the parameter types the commands use (numbers, choices, paths)
say their refusals in Chinese too. Help keeps click's layout with Chinese headings
(`Formatter`); each command's help text is given in Chinese where it is declared, and its
docstring stays the English one for the code's readers.
"""

from __future__ import annotations

import os
import re

import click


class Wrong(click.UsageError):
    """A usage error already said in Chinese: shown alone, with the command's --help."""

    def show(self, file=None) -> None:
        path = self.ctx.command_path if self.ctx is not None else "mailbot"
        click.echo(f"命令写法有误：{self.message}\n可执行 {path} --help 查看用法。", err=True)


def said(error: click.UsageError, ctx: click.Context | None = None) -> click.UsageError:
    """`error` as Wrong, in `ctx` where click left its context out; click's
    help-on-no-arguments (8.2+) is left as it is."""
    if isinstance(error, (Wrong, _NO_ARGS_IS_HELP)):
        return error
    ctx = error.ctx or ctx
    return Wrong(_what(error, ctx), ctx)


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _what(error: click.UsageError, ctx: click.Context | None) -> str:
    if isinstance(error, click.NoSuchOption):
        near = "、".join(sorted(error.possibilities or ()))
        return f"没有 {error.option_name} 这个选项。" + (f"是否要用 {near}？" if near else "")
    if isinstance(error, click.BadOptionUsage):
        flag = _option(ctx, error.option_name)
        return (f"{error.option_name} 后面不用写取值。" if flag is not None and flag.is_flag
                else f"{error.option_name} 后面要写上取值。")
    if isinstance(error, click.MissingParameter):
        return f"缺少{_named(error.param, error.param_hint)}。"
    if isinstance(error, click.BadParameter):
        return _then(_named(error.param, error.param_hint), "的取值有误。")
    if ctx is not None and isinstance(ctx.command, click.Group):
        return f"请写上要执行的命令，如 {ctx.command_path} status。"
    return "请对照用法检查各项的写法。"


def _option(ctx: click.Context | None, name: str) -> click.Option | None:
    params = ctx.command.params if ctx is not None else ()
    return next((p for p in params if isinstance(p, click.Option) and name in p.opts), None)


def _named(param: click.Parameter | None, hint=None) -> str:
    """A parameter as the person who typed it knows it: its option, or its metavar."""
    if isinstance(param, click.Option):
        return f"选项 {param.opts[-1]}"
    if isinstance(param, click.Argument):
        return f"参数“{param.human_readable_name}”"
    return f"选项 {hint}" if isinstance(hint, str) and hint else "参数"


def _then(named: str, text: str) -> str:
    """`named` then Chinese text, a space between where `named` ends in Latin letters."""
    return named + (" " if named[-1].isascii() else "") + text


def refused(ctx: click.Context | None, named: str, message: str) -> Wrong:
    """`named` (as _named says it) refused, and why."""
    return Wrong(_then(named, f"的取值有误：{message}"), ctx)


def bad_value(ctx: click.Context | None, option: str, message: str) -> Wrong:
    """A refused value, for a check a command makes itself (a quarter not in config.toml)."""
    return refused(ctx, f"选项 {option}", message)


HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}  # click's, in Chinese


class Formatter(click.HelpFormatter):
    """click's help layout with Chinese headings (click names them in English), measured in
    terminal columns: click counts characters, and a Chinese one takes two columns."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        for line in lines_of(text, max(self.width - self.current_indent, 20)):
            self.write(f"{'':>{self.current_indent}}{line}\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first = min(max((columns(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(indent + term)
            gap = first - columns(term)
            pieces = lines_of(text, max(self.width - self.current_indent - first, 20))
            if not pieces:
                self.write("\n")
                continue
            self.write(" " * gap if gap >= col_spacing else "\n" + indent + " " * first)
            self.write(pieces[0] + "\n")
            for piece in pieces[1:]:
                self.write(indent + " " * first + piece + "\n")


def columns(text: str) -> int:
    """Terminal columns `text` takes: two for a wide (Chinese) character, one otherwise."""
    import unicodedata  # only for help: every command's start-up counts (issue 15)

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


PIECE = r"[!-~]+\s*|\s+|."  # a Latin word with its spaces, or one character (re caches it)


_CLOSING = "，。、；：！？）》」』”"  # never the first character of a line


def lines_of(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns, broken between Chinese characters or
    between Latin words (never inside one), and never before closing punctuation (the
    character before it goes down with it)."""
    lines, line = [], ""
    for piece in re.findall(PIECE, " ".join(text.split())):
        if line and columns(line + piece.rstrip()) > width:
            carried = line[-1] if piece in _CLOSING and columns(line[-1]) == 2 else ""
            lines.append(line[:len(line) - len(carried)].rstrip())
            line = carried + piece.lstrip()
        else:
            line += piece
    return lines + [line.rstrip()] if line.strip() else lines


class Context(click.Context):
    """A command's run, its help laid out by Formatter."""

    formatter_class = Formatter


HELP = "显示本说明后退出。"


class _InChinese:
    """What a command and a group share: help in Chinese, usage errors Wrong (the parser
    raises some without a context)."""

    context_class = Context

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP
        return option

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise said(error, ctx) from None


class Command(_InChinese, click.Command):
    """A command whose surplus words are named in Chinese (click says
    "Got unexpected extra argument")."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        allowed, ctx.allow_extra_args = ctx.allow_extra_args, True
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = allowed
        if ctx.args and not allowed and not ctx.resilient_parsing:
            raise Wrong(f"多写了“{' '.join(ctx.args)}”，这条命令用不到。", ctx)
        return rest


class Group(_InChinese, click.Group):
    """The command tree: its commands and groups of this kind, its usage errors Wrong."""

    command_class = Command
    group_class = type  # a group's groups are Groups too

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("subcommand_metavar", "[命令 [参数]...]"
                          if kwargs.get("invoke_without_command") else "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        """The subcommand run; what click refuses on the way (a missing command, and any
        usage error a command body raises) becomes Wrong, as parsing's errors do."""
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise said(error, ctx) from None

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0]
        if (self.get_command(ctx, name) is None and not name.startswith("-")
                and not ctx.resilient_parsing):
            from difflib import get_close_matches  # only for a mistyped command

            near = get_close_matches(name, self.list_commands(ctx), n=3)
            raise Wrong(f"没有 {name} 这个命令。"
                        + (f"是否要用 {ctx.command_path} {near[0]}？" if near else ""), ctx)
        return super().resolve_command(ctx, args)


class _RefusesInChinese:
    """A parameter type whose refusal says, in Chinese, what was wrong with the value."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            raise refused(ctx, _named(param), self.refusal(value)) from None

    def refusal(self, value) -> str:
        raise NotImplementedError


class Number(_RefusesInChinese, click.types.IntParamType):
    """A whole number."""

    def refusal(self, value) -> str:
        return f"“{value}”不是整数，请写数字，如 12。"


class Choice(_RefusesInChinese, click.Choice):
    """One of a few words."""

    def refusal(self, value) -> str:
        return f"只能是 {'、'.join(map(str, self.choices))} 之一，写的是“{value}”。"


class Path(_RefusesInChinese, click.Path):
    """A file or folder: missing, or a folder where a file is wanted, or the other way."""

    def refusal(self, value) -> str:
        path = os.fspath(value)
        if not os.path.exists(path):
            return f"找不到“{path}”，请检查路径和文件名。"
        if os.path.isdir(path) and not self.dir_okay:
            return f"“{path}”是文件夹，这里要写文件。"
        if not os.path.isdir(path) and not self.file_okay:
            return f"“{path}”是文件，这里要写文件夹。"
        return f"无法读取“{path}”，请检查文件权限。"
