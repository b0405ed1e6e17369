"""Reports: the HTML page as a real headless Chromium renders it, and the Markdown and JSON variants."""

from __future__ import annotations

import base64
import json
import shutil
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from archives import EXTRACTION, INJECTION, archive_answer

from voiceprep.bank import KeyPoint, Question
from voiceprep.cli import main
from voiceprep.report import archive_report, render, session_report
from voiceprep.review import forget_session
from voiceprep.store import Store

HOSTILE = "<script>alert(1)</script>"
SAID = f"I would throttle queries and use watermarking. {HOSTILE} Also we did not use output perturbation."
SPOKEN = "I would throttle queries and use watermarking."
METRICS = {"words_per_minute": 131.0, "fillers": {"um": 2, "you know": 1}, "longest_pause": 1.5}  # as a session stores them
# A bank of one's own can hold anything: its text must come out as text too.
ODD_QUESTION = Question(
    "odd-01", "Beginner", 'Is <b>bold</b> & "quoted" text safe?', "...", (KeyPoint("escaping <tags>"), KeyPoint("quotes")),
)
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.parts = tag, attrs, []

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Dom(HTMLParser):
    """The elements of a DOM Chromium serialized, each with the text inside it."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.parts.append(data)

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


def chromium(page: Path, tmp_path: Path, *action: str) -> subprocess.CompletedProcess[str]:
    """Run Debian's chromium headless on a file (installed by `scripts/setup.sh --test`)."""
    browser = shutil.which("chromium")
    assert browser, "chromium is missing: run `bash scripts/setup.sh --test` (Debian package chromium)"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1000,1600", *action, page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture
def archive(private_data_dir, speech):
    """Two sessions a week apart; the second holds a hostile transcript (with speaking metrics) and a question with markup."""
    store = Store(private_data_dir)
    first = archive_answer(store, INJECTION, "It can ignore previous instructions.", "2026-03-02T09:00:00+00:00", speech(SPOKEN))
    answer_id = archive_answer(store, EXTRACTION, SAID, "2026-03-09T09:00:00+00:00", speech(SPOKEN), metrics=METRICS)
    session_id = store.answer(answer_id).session_id
    archive_answer(store, ODD_QUESTION, "Quotes matter.", "2026-03-09T09:03:00+00:00", speech(SPOKEN), session_id)
    yield store, store.answer(first).session_id, session_id
    store.close()


def test_the_html_report_shows_everything_in_a_real_browser_and_runs_no_user_script(archive, tmp_path):
    store, first_session, session_id = archive
    page = tmp_path / "report.html"
    assert main(["report", str(session_id), "--format", "html", "-o", str(page)]) == 0

    dom = Dom(chromium(page, tmp_path, "--dump-dom").stdout)

    headings = [h.text for h in dom.all("h3")]
    assert headings == [f"1. {EXTRACTION.prompt}", f"2. {ODD_QUESTION.prompt}"]  # markup in a question is text
    assert dom.all("b") == []
    assert [m.text for m in dom.all("mark")] == ["throttle queries", "watermarking", "Quotes"]
    assert [m.attrs["title"] for m in dom.all("mark")] == ["rate limiting", "watermarking", "quotes"]
    transcript = dom.all("blockquote")[0].text
    assert transcript == SAID  # the script tags are there, as words on the page
    assert dom.all("script") == []  # and not as an element: nothing from the transcript can run
    items = [li.text for li in dom.all("li")]
    assert "Missed: prediction logging" in items and "Missed: escaping <tags>" in items
    assert "Denied, not credited: output perturbation (“output perturbation”)" in items
    metrics = [ul.text for ul in dom.all("ul") if ul.attrs.get("class") == "metrics"]
    assert metrics == ["words per minute: 131.0fillers: um x2, you know x1longest pause: 1.5"]  # the answer that has them
    assert {"words per minute: 131.0", "fillers: um x2, you know x1", "longest pause: 1.5"} <= set(items)

    players = dom.all("audio")
    assert len(players) == 2 and all("controls" in p.attrs for p in players)
    prefix = "data:audio/wav;base64,"
    assert all(p.attrs["src"].startswith(prefix) for p in players)
    recording = Path(store.answers(session_id=session_id)[0].audio_path).read_bytes()
    assert base64.b64decode(players[0].attrs["src"][len(prefix):]) == recording

    charts = dom.all("svg")
    assert len(charts) == 1
    dots = dom.all("circle")
    assert [d.attrs["class"] for d in dots] == ["session", "reported"]  # both sessions so far; this one stands out
    assert [d.text for d in dots] == [f"Session {first_session}, 2026-03-02: 50% over 1 answer(s)",
                                      f"Session {session_id}, 2026-03-09: 50% over 2 answer(s)"]

    shot = tmp_path / "report.png"
    chromium(page, tmp_path, f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one (checked by eye once: see the report)


def test_the_page_still_plays_after_it_is_moved_and_the_archive_is_gone(archive, tmp_path):
    store, _, session_id = archive
    moved = tmp_path / "elsewhere" / "kept.html"
    moved.parent.mkdir()
    moved.write_text(render(session_report(store, session_id), "html"))
    forget_session(store, session_id)
    dom = Dom(chromium(moved, tmp_path, "--dump-dom").stdout)
    assert len([a for a in dom.all("audio") if a.attrs["src"].startswith("data:audio/wav;base64,UklGR")]) == 2  # "RIFF"


def test_without_audio_the_page_links_the_recordings(archive, tmp_path):
    store, _, session_id = archive
    page = render(session_report(store, session_id), "html", embed_audio=False)
    assert "<audio" not in page and "base64" not in page
    assert Path(store.answers(session_id=session_id)[0].audio_path).as_uri() in page


def test_markdown_has_the_same_content_with_markup_made_inert(archive):
    store, _, session_id = archive
    text = render(session_report(store, session_id), "md")
    assert f"### 1. {EXTRACTION.prompt}" in text
    assert "### 2. Is &lt;b&gt;bold&lt;/b&gt; &amp; \"quoted\" text safe?" in text
    assert "I would **throttle queries** and use **watermarking**. &lt;script&gt;alert(1)&lt;/script&gt; Also" in text
    assert "<" not in text  # no raw HTML for a Markdown renderer to pass through
    assert "- Missed: prediction logging" in text and "- Denied, not credited: output perturbation" in text
    assert "- Speaking: words per minute: 131.0\n- Speaking: fillers: um x2, you know x1\n- Speaking: longest pause: 1.5" in text
    recording = Path(store.answers(session_id=session_id)[0].audio_path)
    assert f"[{recording.name}]({recording.as_uri()})" in text
    assert "- Session" in text and "2026-03-09: 50% over 2 answer(s)" in text


def test_json_carries_the_report_fields(archive):
    store, first_session, session_id = archive
    shown = json.loads(render(archive_report(store), "json"))
    assert [s["session"]["id"] for s in shown["sessions"]] == [first_session, session_id]
    answer = shown["sessions"][1]["answers"][0]
    assert answer["transcript"] == SAID and answer["missed"] == ["prediction logging"]
    assert [p["label"] for p in answer["covered"]] == ["rate limiting", "watermarking"]
    assert [p["coverage"] for p in shown["progress"]] == [0.5, 0.5]
    assert "base64" not in json.dumps(shown)


def test_all_sessions_narrowed_by_date(archive, capsys, tmp_path):
    store, _, session_id = archive
    report = archive_report(store, since="2026-03-05")
    assert [s.session.id for s in report.sessions] == [session_id]
    target = tmp_path / "all.md"
    assert main(["report", "--all", "--since", "2026-03-05", "--format", "md", "-o", str(target)]) == 0
    assert f"Wrote {target} (" in capsys.readouterr().out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it holds transcripts: the user's alone
    assert "## Session" in target.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report"], "name one session id or pass --all"),
        (["report", "1", "--all"], "name one session id or pass --all"),
        (["report", "--all", "--since", "last week"], "'last week' is not a date; write it as YYYY-MM-DD"),
        (["report", "--all", "--since", "2030-01-01"], "no answers to report in that range"),
        (["report", "42"], "no session 42"),
    ],
)
def test_bad_report_requests_are_one_line_errors(archive, capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
