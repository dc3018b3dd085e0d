"""The e-mail editor's blocks: checked when saved, rendered to HTML (inline styles, nothing
from another host) and to the plain-text part.

A block is {"type": ..., ...}: heading {text}, text {text}, image {src, alt} (an image of the
business's own media), button {text, url}, divider {}, footer {} (the business's address and
the unsubscribe link, added at send time)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

BLOCK_TYPES = ("heading", "text", "image", "button", "divider", "footer")
MAX_BLOCKS = 40
MAX_TEXT = 5000


def _is_web(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_own_media(src: str) -> bool:
    """An image the business uploaded: a path under MEDIA_URL, never another host."""
    media = settings.MEDIA_URL or "/media/"
    return src.startswith(media) and "//" not in src[len(media) :] and ".." not in src


def blocks_clean(blocks) -> list[dict]:
    """The blocks as stored, or a ValidationError naming the block and the field."""
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        raise ValidationError(
            {"blocks": _("Give a list of at most %(n)s blocks.") % {"n": MAX_BLOCKS}}
        )
    clean: list[dict] = []
    for index, block in enumerate(blocks, start=1):
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            raise ValidationError(
                {"blocks": _("Block %(n)s: unknown kind of block.") % {"n": index}}
            )
        kind = block["type"]
        item: dict = {"type": kind}
        for key in ("text", "url", "src", "alt"):
            value = block.get(key, "")
            if not isinstance(value, str) or len(value) > MAX_TEXT:
                raise ValidationError(
                    {"blocks": _("Block %(n)s: “%(f)s” is too long.") % {"n": index, "f": key}}
                )
            if value:
                item[key] = value.strip()
        if kind in ("heading", "text", "button") and not item.get("text"):
            raise ValidationError({"blocks": _("Block %(n)s: write its text.") % {"n": index}})
        if kind == "button" and not _is_web(item.get("url", "")):
            raise ValidationError(
                {
                    "blocks": _("Block %(n)s: the button needs a web address (https://…).")
                    % {"n": index}
                }
            )
        if kind == "image" and not _is_own_media(item.get("src", "")):
            raise ValidationError(
                {
                    "blocks": _(
                        "Block %(n)s: upload the image; pictures from other sites are not used."
                    )
                    % {"n": index}
                }
            )
        clean.append(item)
    return clean


def blocks_text(blocks: list[dict]) -> str:
    """The plain-text part: headings, paragraphs, buttons as "text: link", dividers as a rule.
    The footer (address and unsubscribe link) is added by the message template."""
    parts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "heading":
            parts.append(block["text"].upper())
        elif kind == "text":
            parts.append(block["text"])
        elif kind == "button":
            parts.append(f"{block['text']}: {block['url']}")
        elif kind == "image" and block.get("alt"):
            parts.append(f"[{block['alt']}]")
        elif kind == "divider":
            parts.append("-" * 20)
    return "\n\n".join(parts)


WRAP = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
    '<body style="margin:0;padding:0;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;">'
    '<div style="max-width:600px;margin:0 auto;background:#ffffff;padding:24px;color:#1f2937;'
    'font-size:16px;line-height:1.5;">{body}</div></body></html>'
)


def blocks_html(
    blocks: list[dict],
    *,
    subject: str,
    business: dict,
    unsubscribe_url: str = "",
    base_url: str = "",
    link: Callable[[str], str] | None = None,
    pixel_url: str = "",
    language: str = "en",
) -> str:
    """The HTML part. `link(url)` turns a web link into its tracked form; images are made
    absolute on the business's own host; the open pixel goes last."""
    link = link or (lambda url: url)
    out: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "heading":
            out.append(f'<h1 style="font-size:24px;margin:0 0 16px;">{escape(block["text"])}</h1>')
        elif kind == "text":
            out.append(f'<div style="margin:0 0 16px;">{linebreaks(escape(block["text"]))}</div>')
        elif kind == "image":
            src = f"{base_url.rstrip('/')}{block['src']}"
            out.append(
                f'<p style="margin:0 0 16px;"><img src="{escape(src)}" alt="{escape(block.get("alt", ""))}" '
                'style="max-width:100%;height:auto;display:block;"></p>'
            )
        elif kind == "button":
            out.append(
                f'<p style="margin:0 0 16px;"><a href="{escape(link(block["url"]))}" '
                'style="display:inline-block;background:#1d4ed8;color:#ffffff;padding:12px 20px;'
                f'border-radius:6px;text-decoration:none;font-weight:bold;">{escape(block["text"])}</a></p>'
            )
        elif kind == "divider":
            out.append('<hr style="border:0;border-top:1px solid #e5e7eb;margin:24px 0;">')
        elif kind == "footer":
            lines = [escape(business.get("name", ""))]
            if business.get("address"):
                lines.append(escape(business["address"]))
            footer = "<br>".join(line for line in lines if line)
            if unsubscribe_url:
                footer += (
                    f'<br><a href="{escape(unsubscribe_url)}" style="color:#4b5563;">'
                    f"{escape(_('Unsubscribe or choose what you receive'))}</a>"
                )
            out.append(f'<p style="margin:24px 0 0;font-size:13px;color:#4b5563;">{footer}</p>')
    if pixel_url:
        out.append(f'<img src="{escape(pixel_url)}" width="1" height="1" alt="">')
    return WRAP.format(lang=escape(language or "en"), title=escape(subject), body="".join(out))
