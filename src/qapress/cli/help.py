"""Help texts a newcomer can read: an example under every verb, and no Python types beside the options.

typer prints each parameter's Python type (``<str>``, ``<int>``, ``<path>``; ``<bool>`` beside flags in its
rich mode). The name and the help already say what a value is, so options show their metavar (or their name
in capitals, as argparse does) and arguments show only their name.
"""

from __future__ import annotations

from typing import Any


def example(*commands: str) -> str:
    """An epilog of example commands, kept on their own lines by click's ``\\b`` marker."""
    title = "Example:" if len(commands) == 1 else "Examples:"
    return f"{title}\n\n\b\n" + "\n".join(f"  {command}" for command in commands)


def plain_parameter_types() -> None:
    """Replace typer's type labels in help output (a no-op on typer versions without them)."""
    try:
        from typer.core import TyperArgument, TyperOption
    except ImportError:  # pragma: no cover - typer without its own parameter classes
        return

    def option_label(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        if getattr(self, "is_flag", False) or getattr(self, "count", False):
            return None
        descriptor = getattr(self, "type_descriptor", None)
        choices = getattr(descriptor, "choices", None) or getattr(
            getattr(self, "type", None), "choices", None
        )
        if choices:
            return "|".join(str(getattr(choice, "value", choice)) for choice in choices)
        return str(self.name or "value").upper()

    def argument_label(self: Any, ctx: Any) -> str | None:
        return None

    def argument_name(self: Any) -> str:
        name = str(self.metavar or (self.name or "value").upper())
        return f"{name}..." if self.nargs != 1 else name

    def argument_usage(self: Any) -> str:
        name = argument_name(self)
        return name if self.required else f"[{name}]"

    if hasattr(TyperOption, "display_type_rich"):
        TyperOption.display_type_rich = option_label  # type: ignore[method-assign]
    if hasattr(TyperArgument, "display_type_rich"):
        TyperArgument.display_type_rich = argument_label  # type: ignore[method-assign]
    if hasattr(TyperArgument, "_rich_display_name") and hasattr(TyperArgument, "_usage_display_name"):
        # click's own style: ``FILE`` when required, ``[FILE]`` when not (typer writes ``{file}``).
        TyperArgument._rich_display_name = argument_name  # type: ignore[method-assign]
        TyperArgument._usage_display_name = argument_usage  # type: ignore[method-assign]


def _unset(value: Any) -> bool:
    """typer marks options not given with a ``DefaultPlaceholder``."""
    return value is None or type(value).__name__ == "DefaultPlaceholder"


def add_examples(
    app: Any, examples: dict[tuple[str, ...], tuple[str, ...]], prefix: tuple[str, ...] = ()
) -> None:
    """Give each registered verb (groups' subcommands too) without an epilog its examples from ``examples``,
    keyed by the command path (``("sites", "add")``): one table of examples instead of one per decorator."""
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__.replace("_", "-") if info.callback else "")
        path = (*prefix, name)
        if _unset(info.epilog) and path in examples:
            info.epilog = example(*examples[path])
    for group in app.registered_groups:
        instance = group.typer_instance
        name = group.name or instance.info.name
        path = (*prefix, name)
        if _unset(group.epilog) and _unset(instance.info.epilog) and path in examples:
            group.epilog = instance.info.epilog = example(*examples[path])
        add_examples(instance, examples, path)
