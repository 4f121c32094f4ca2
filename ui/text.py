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


# Where a long formula may break: a top-level clause break, with what ends the line before it and what
# begins the line after it.
_BREAKS = re.compile(r",\\ |;\\ |\\quad|\\text\{(?:, run as |; | in the phase )\}")
_ENDS = {",\\ ": (",", ""), ";\\ ": (";", ""), "\\quad": ("", ""), "\\text{, run as }": (",", "\\text{run as }"),
         "\\text{; }": (";", ""), "\\text{ in the phase }": ("", "\\text{in the phase }")}
_COMMAND = re.compile(r"\\[a-zA-Z]+|\\.|[{}^_]")


def shown_length(latex: str) -> int:
    """About how many characters wide ``latex`` renders: every command one, braces and scripts none."""
    return len(_COMMAND.sub(lambda m: "" if m.group() in "{}^_" else "x", latex).replace(" ", ""))


def latex_lines(latex: str, width: int = 30) -> str:
    r"""A one-line display formula broken into left-aligned lines of about ``width`` characters at its
    top-level clause breaks, so that it fits a narrow column: never inside braces, ``\left…\right``
    or an environment."""
    depth, pieces, seps, last, i = 0, [], [], 0, 0
    while i < len(latex):
        if latex.startswith(("\\left", "\\begin"), i) or latex[i] == "{":
            depth += 1
        elif latex.startswith(("\\right", "\\end"), i) or latex[i] == "}":
            depth -= 1
        elif depth == 0 and (m := _BREAKS.match(latex, i)):
            pieces.append(latex[last : m.start()].strip())
            seps.append(m.group())
            last = i = m.end()
            continue
        i += 1
    pieces.append(latex[last:].strip())
    lines = [pieces[0]]
    for sep, piece in zip(seps, pieces[1:], strict=True):
        if shown_length(lines[-1] + piece) <= width:
            lines[-1] += sep + piece
        else:
            end, begin = _ENDS[sep]
            lines[-1] += end
            lines.append(begin + piece)
    if len(lines) == 1:
        return latex
    return "\\begin{array}{l} " + " \\\\ ".join(lines) + " \\end{array}"
