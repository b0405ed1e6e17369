"""Reports of archived sessions to keep or share: a self-contained HTML page, Markdown, JSON.

The HTML page needs nothing beside it: each recording is embedded as a base64 `data:` URI
(16 kHz 16-bit mono WAV, about 1.9 MB per minute of answer), the progress chart is inline
SVG, and the styles are inline. Everything that came from a user or a bank (questions,
transcripts, labels) is HTML-escaped, and a Content-Security-Policy forbids scripts
altogether, so a transcript that says `<script>` shows as text and can never run.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from voiceprep.errors import VoiceprepError
from voiceprep.review import (
    AnswerReview,
    SessionReview,
    format_metric,
    format_size,
    review_answer,
    review_session,
)
from voiceprep.stats import SessionCoverage, coverage_by_session
from voiceprep.store import Store, now

FORMATS = ("html", "md", "json")
CHART_WIDTH, CHART_HEIGHT, CHART_MARGIN = 640, 200, 40


@dataclass(frozen=True)
class Report:
    title: str
    generated_at: str
    sessions: tuple[SessionReview, ...]
    progress: tuple[SessionCoverage, ...]  # every session up to the last one reported, oldest first

    @property
    def answers(self) -> tuple[AnswerReview, ...]:
        return tuple(a for s in self.sessions for a in s.answers)


def session_report(store: Store, session_id: int) -> Report:
    """One session, with the progress of every session up to it."""
    review = review_session(store, session_id)
    last = max((a.started_at for a in review.answers), default=review.session.started_at)
    progress = tuple(p for p in coverage_by_session(store.answers()) if p.started_at <= last)
    return Report(f"voiceprep: session {session_id}", now(), (review,), progress)


def archive_report(store: Store, since: str | None = None, until: str | None = None) -> Report:
    """Every session with answers started in [since, until) (ISO dates or timestamps in UTC; None is open)."""
    for bound in (since, until):
        _check_timestamp(bound)
    answers = [a for a in store.answers_between(since, until) if a.session_id is not None]
    if not answers:
        raise VoiceprepError("no answers to report in that range; `voiceprep sessions list` shows what is archived")
    sessions = {s.id: s for s in store.sessions()}
    by_session: dict[int, list[AnswerReview]] = {}
    for a in answers:
        by_session.setdefault(a.session_id, []).append(review_answer(a))  # type: ignore[arg-type]
    reviews = tuple(SessionReview(sessions[sid], tuple(rows)) for sid, rows in by_session.items())
    span = f" ({since or 'start'} to {until or 'now'})" if since or until else ""
    return Report(f"voiceprep: {len(reviews)} session(s){span}", now(), reviews, coverage_by_session(answers))


def _check_timestamp(value: str | None) -> None:
    try:
        if value is not None:
            datetime.fromisoformat(value)
    except ValueError:
        raise VoiceprepError(f"'{value}' is not a date; write it as YYYY-MM-DD (or an ISO timestamp)") from None


def render(report: Report, fmt: str, embed_audio: bool = True) -> str:
    """The report as 'html', 'md' or 'json' text."""
    if fmt == "html":
        return render_html(report, embed_audio)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "json":
        return json.dumps(asdict(report), indent=2, default=str)
    raise VoiceprepError(f"unknown report format '{fmt}'; choose one of {', '.join(FORMATS)}")


def write_report(text: str, path: Path) -> int:
    """Write a report readable by the user alone (it holds transcripts and voices); returns its size in bytes."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise VoiceprepError(f"cannot write the report to {path} ({error.strerror}); choose another -o path") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path.stat().st_size


# HTML ------------------------------------------------------------------------------------

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #1d232b; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d5dbe3; }
.meta { color: #5b6673; font-size: .9rem; margin: .2rem 0 .6rem; }
article { border: 1px solid #d5dbe3; border-radius: 8px; padding: .8rem 1.1rem; margin: 1rem 0; }
article h3 { font-size: 1.1rem; margin: .2rem 0; }
blockquote { margin: .6rem 0; padding: .5rem .9rem; background: #f5f7fa; border-left: 4px solid #9fb3c8; white-space: pre-wrap; }
mark { background: #c9f2c7; padding: 0 .15em; border-radius: 3px; }
.missed { color: #a12a2a; } .denied { color: #8a5a00; } .covered { color: #1e6b24; }
ul.points { padding-left: 1.2rem; margin: .4rem 0; } audio { width: 100%; margin: .3rem 0; }
svg.progress { max-width: 100%; height: auto; } svg .grid { stroke: #e3e8ee; } svg .line { fill: none; stroke: #2f6fb3; stroke-width: 2; }
svg circle { fill: #2f6fb3; } svg circle.reported { fill: #e08a00; r: 6; } svg text { font-size: 11px; fill: #5b6673; }
"""
# No script of any kind may run, whatever a transcript contains; audio comes only from data: URIs.
CONTENT_POLICY = "default-src 'none'; media-src data:; style-src 'unsafe-inline'"


def render_html(report: Report, embed_audio: bool = True) -> str:
    """A self-contained HTML page: questions, players, highlighted transcripts, points, a progress chart."""
    embedded = sum(a.audio_bytes or 0 for a in report.answers) if embed_audio else 0
    body = [
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="meta">Made {escape(report.generated_at)}; {len(report.answers)} answer(s); '
        + (f"recordings embedded ({format_size(embedded)}).</p>" if embed_audio else "recordings linked, not embedded.</p>"),
        '<section id="progress"><h2>Progress</h2>',
        progress_svg(report.progress, {s.session.id for s in report.sessions}),
        "</section>",
    ]
    for review in report.sessions:
        body += _session_html(review, embed_audio)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _session_html(review: SessionReview, embed_audio: bool) -> list[str]:
    s = review.session
    coverage = f"coverage {s.mean_coverage:.0%}" if s.mean_coverage is not None else "not scored"
    parts = [
        f'<section class="session" id="session-{s.id}">',
        f"<h2>Session {s.id}</h2>",
        f'<p class="meta">{escape(s.started_at)} · bank {escape(s.bank_id)} · {s.answers} answer(s) · {coverage}</p>',
    ]
    parts += [_answer_html(number, a, embed_audio) for number, a in enumerate(review.answers, start=1)]
    parts.append("</section>")
    return parts


def _answer_html(number: int, answer: AnswerReview, embed_audio: bool) -> str:
    said = "".join(
        f'<mark title="{escape(s.label)}">{escape(s.text)}</mark>' if s.label else escape(s.text) for s in answer.segments()
    )
    items = [f'<li class="covered">Covered: {escape(p.label)}</li>' for p in answer.covered]
    items += [f'<li class="missed">Missed: {escape(label)}</li>' for label in answer.missed]
    items += [
        f'<li class="denied">{heading}: {escape(p.label)} (“{escape(p.evidence or "")}”)</li>'
        for heading, points in answer.not_credited
        for p in points
    ]
    items += [f'<li class="missed">Skipped step: {escape(label)}</li>' for label in answer.skipped_steps]
    items += [f"<li>Out of order: {escape(label)}</li>" for label in answer.out_of_order]
    metrics = "".join(f"<li>{escape(format_metric(k, v))}</li>" for k, v in (answer.metrics or {}).items())
    return "\n".join([
        f'<article class="answer" id="answer-{answer.id}">',
        f"<h3>{number}. {escape(answer.prompt)}</h3>",
        f'<p class="meta">{escape(answer.question_id)} · {escape(answer.section)} · {escape(_coverage_text(answer))}</p>',
        _audio_html(answer, embed_audio),
        f'<blockquote class="transcript">{said or "<em>(nothing heard)</em>"}</blockquote>',
        f'<ul class="points">{"".join(items)}</ul>',
        f'<p class="meta">Speaking:</p><ul class="metrics">{metrics}</ul>' if metrics else "",
        "</article>",
    ])


def _coverage_text(answer: AnswerReview) -> str:
    if answer.coverage is None:
        return f"not scored ({answer.status})"
    return f"coverage {answer.coverage:.0%} ({len(answer.covered)} of {answer.points} points)"


def _audio_html(answer: AnswerReview, embed_audio: bool) -> str:
    if answer.audio_bytes is None:
        missing = f" ({escape(answer.audio_path)} is missing)" if answer.audio_path else ""
        return f'<p class="meta">No recording{missing}.</p>'
    path = Path(answer.audio_path)  # type: ignore[arg-type]  # audio_bytes is set only for an existing file
    size = f"{answer.audio_seconds or 0:.1f} s, {format_size(answer.audio_bytes)}"
    if not embed_audio:
        return f'<p class="meta">Recording ({size}): <a href="{escape(path.as_uri())}">{escape(str(path))}</a></p>'
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<audio controls preload="metadata" src="data:audio/wav;base64,{data}"></audio>'
        f'<p class="meta">Recording {size}, embedded.</p>'
    )


def progress_svg(progress: tuple[SessionCoverage, ...], reported: Collection[int] = ()) -> str:
    """Mean coverage per session over time as an inline SVG line chart; reported sessions stand out."""
    if not progress:
        return '<p class="meta">No scored answers yet.</p>'
    times = [datetime.fromisoformat(p.started_at).timestamp() for p in progress]
    first, spread = min(times), (max(times) - min(times)) or 1.0
    plot_w, plot_h = CHART_WIDTH - 2 * CHART_MARGIN, CHART_HEIGHT - 2 * CHART_MARGIN

    def x(t: float) -> float:
        return CHART_MARGIN + (plot_w * (t - first) / spread if len(progress) > 1 else plot_w / 2)

    def y(coverage: float) -> float:
        return CHART_MARGIN + plot_h * (1 - coverage)

    grid = "".join(
        f'<line class="grid" x1="{CHART_MARGIN}" x2="{CHART_WIDTH - CHART_MARGIN}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
        f'<text x="4" y="{y(v) + 4:.1f}">{v:.0%}</text>'
        for v in (0.0, 0.5, 1.0)
    )
    line = " ".join(f"{x(t):.1f},{y(p.coverage):.1f}" for t, p in zip(times, progress))
    dots = "".join(
        f'<circle class="{"reported" if p.session_id in reported else "session"}" cx="{x(t):.1f}" cy="{y(p.coverage):.1f}" r="4">'
        f"<title>Session {p.session_id}, {escape(p.started_at[:10])}: {p.coverage:.0%} over {p.answers} answer(s)</title></circle>"
        for t, p in zip(times, progress)
    )
    axis = (
        f'<text x="{CHART_MARGIN}" y="{CHART_HEIGHT - 12}">{escape(progress[0].started_at[:10])}</text>'
        f'<text x="{CHART_WIDTH - CHART_MARGIN}" y="{CHART_HEIGHT - 12}" text-anchor="end">{escape(progress[-1].started_at[:10])}</text>'
    )
    return (
        f'<svg class="progress" role="img" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>Mean coverage per session over time</title>'
        f'{grid}<polyline class="line" points="{line}"/>{dots}{axis}</svg>'
    )


# Markdown --------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = "\\`*_[]|~"


def _md(text: str) -> str:
    """User text made inert in Markdown: HTML-significant characters as entities, markup characters escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def render_markdown(report: Report) -> str:
    """The report as Markdown: the same content, recordings linked by path instead of embedded."""
    lines = [f"# {_md(report.title)}", "", f"Made {report.generated_at}; {len(report.answers)} answer(s).", "", "## Progress", ""]
    lines += [
        f"- Session {p.session_id}, {p.started_at[:10]}: {p.coverage:.0%} over {p.answers} answer(s)" for p in report.progress
    ] or ["No scored answers yet."]
    for review in report.sessions:
        s = review.session
        coverage = f"coverage {s.mean_coverage:.0%}" if s.mean_coverage is not None else "not scored"
        lines += ["", f"## Session {s.id}", "", f"{s.started_at} · bank {_md(s.bank_id)} · {s.answers} answer(s) · {coverage}"]
        for number, answer in enumerate(review.answers, start=1):
            lines += ["", *_answer_markdown(number, answer)]
    return "\n".join(lines) + "\n"


def _answer_markdown(number: int, answer: AnswerReview) -> list[str]:
    said = "".join(f"**{_md(s.text)}**" if s.label else _md(s.text) for s in answer.segments())
    lines = [
        f"### {number}. {_md(answer.prompt)}",
        "",
        f"{_md(answer.question_id)} · {_md(answer.section)} · {_coverage_text(answer)}",
        "",
        f"> {said or '(nothing heard)'}",
        "",
    ]
    lines += [f"- Covered: {_md(p.label)}" for p in answer.covered]
    lines += [f"- Missed: {_md(label)}" for label in answer.missed]
    lines += [
        f"- {heading}: {_md(p.label)} (“{_md(p.evidence or '')}”)" for heading, points in answer.not_credited for p in points
    ]
    lines += [f"- Skipped step: {_md(label)}" for label in answer.skipped_steps]
    lines += [f"- Out of order: {_md(label)}" for label in answer.out_of_order]
    lines += [f"- Speaking: {_md(format_metric(k, v))}" for k, v in (answer.metrics or {}).items()]
    lines.append(f"- Recording: {_recording_link(answer)}")
    return lines


def _recording_link(answer: AnswerReview) -> str:
    if not answer.audio_path:
        return "none"
    path = Path(answer.audio_path)
    if answer.audio_bytes is None:
        return f"{_md(str(path))} (missing)"
    return f"[{_md(path.name)}]({path.as_uri()}) ({answer.audio_seconds or 0:.1f} s, {format_size(answer.audio_bytes)})"
