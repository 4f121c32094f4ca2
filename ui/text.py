"""Text that comes from users, made safe to show in Streamlit's Markdown."""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: str, limit: int = 300) -> str:
    """``text`` with every Markdown and HTML special character escaped, so it shows as typed and can
    never become a link, an image or markup; cut to ``limit`` characters."""
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    return _MARKDOWN.sub(r"\\\1", text)
