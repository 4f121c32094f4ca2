"""Widget keys: every key a page uses comes from its own ``Keys``, so no page can wipe another's."""

from __future__ import annotations


class Keys:
    """``Keys("explorer")("run", 3, "lr")`` -> ``"explorer.run.3.lr"``: a page's keys share its prefix."""

    def __init__(self, page: str):
        self.page = page
        self.prefix = page + "."

    def __call__(self, *parts) -> str:
        return self.prefix + ".".join(str(p) for p in parts)

    def owns(self, key, *parts) -> bool:
        """Whether ``key`` belongs to this page (under ``parts``, when given)."""
        return isinstance(key, str) and key.startswith(self(*parts) + ("." if parts else ""))
