"""The `eventbot` command line: a thin front end over EventService (no Discord needed)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot import logs
from bot.asklog import Origin
from bot.config import Config, ConfigError, discord_token, load_config
from bot.errors import USER_ERRORS
from bot.gaps import gap_detail, gap_line, window
from bot.present import (
    activity_line,
    also_carried_line,
    attribution_line,
    disagreement_line,
    partial_note,
    why_unanswered,
)
from bot.results import AddStatus, Answer, Reason
from bot.service import EventService
from bot.timeline_text import FIRST_REPORT, carried_names, day, differs_lines, entry_attribution, event_line
from corpus.errors import CorpusError
from index.embedder import finish_background_loads
from retrieval.errors import RetrievalError
from retrieval.timeline import Timeline

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from bot.corpora import Corpora

app = typer.Typer(help="Answer questions about news events from a corpus of articles.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
out = Console(soft_wrap=False)
err = Console(stderr=True)

WATCH_SECONDS = 1.0  # how often the running bot looks for other processes' changes (one cheap query)

ConfigOption = Annotated[Path | None, typer.Option("--config", "-c", help="config.yaml to use (default: $EVENTBOT_CONFIG or the bundled one).")]


def _config(path: Path | None) -> Config:
    try:
        cfg = load_config(path)
    except ConfigError as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2) from e
    logs.setup(cfg.log_level, cfg.log_format)
    return cfg


@contextmanager
def _service(config: Path | None, data_dir: Path | None = None) -> Iterator[EventService]:
    """Open the service; known errors become a one-line message and exit code 1."""
    cfg = _config(config)
    if data_dir is not None:
        cfg = cfg.model_copy(update={"data_dir": data_dir})
    service = EventService.from_config(cfg)
    command = _current_command()
    try:
        with logs.request(command or "cli", "cli"):  # the log lines' request id
            yield service
    except USER_ERRORS as e:
        err.print(f"[red]error:[/red] {escape(str(e))}")
        raise typer.Exit(1) from e
    finally:
        service.close()
        finish_background_loads()


def _current_command() -> str | None:
    """The name of the command running ("ask", "add", ...), from typer's click context."""
    try:  # typer 0.2x carries its own copy of click; older versions use click itself
        from typer._click.globals import get_current_context
    except ImportError:
        from click import get_current_context
    context = get_current_context(silent=True)
    return context.info_name if context else None


def _progress(total: int, label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                    transient=False, disable=total <= 1)


@app.command()
def add(targets: Annotated[list[str], typer.Argument(help="URLs (http/https) or local .html/.htm/.txt/.md files.")],
        config: ConfigOption = None) -> None:
    """Fetch or read articles, clean them, split them into passages and index them."""
    failed = 0
    with _service(config) as service, _progress(len(targets), "adding") as bar:
        task = bar.add_task("add", total=len(targets))
        for target in targets:
            result = service.add(target)
            colour = {AddStatus.ADDED: "green", AddStatus.UPDATED: "cyan", AddStatus.DUPLICATE: "yellow"}.get(
                result.status, "red")
            err.print(f"[{colour}]{result.status}[/{colour}] {escape(target)}: {escape(result.message)}")
            failed += result.status == AddStatus.FAILED
            bar.advance(task)
    if failed:
        raise typer.Exit(1)


@app.command()
def extract(target: Annotated[str, typer.Argument(help="A URL (http/https) or a local .html/.htm/.txt/.md file.")],
            url: Annotated[str | None, typer.Option("--url", help="Where a local file came from (resolves its links; "
                                                    "its URL when the page declares none).")] = None,
            as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
            config: ConfigOption = None) -> None:
    """Show what `add` would store for a page or file (metadata, passages with speakers and headings); store nothing."""
    with _service(config) as service:
        preview = service.preview(target, url)
    if as_json:
        print(json.dumps(preview.to_json(), ensure_ascii=False), flush=True)
    if not preview.ok:
        if not as_json:
            err.print(f"[red]error:[/red] {escape(target)}: {escape(preview.error or '')}", soft_wrap=True)
        raise typer.Exit(1)
    if as_json:
        return
    for name, value in preview.fields():
        out.print(f"[bold]{name}:[/bold] {escape(value)}", soft_wrap=True)
    out.print(f"[bold]{len(preview.passages)} passages[/bold] (nothing stored)")
    heading = None
    for n, p in enumerate(preview.passages, 1):
        if p.heading and p.heading != heading:
            out.print(f"   [italic]§ {escape(p.heading)}[/italic]", soft_wrap=True)
        heading = p.heading
        out.print(f"[bold]{n}.[/bold] {escape(p.text)}", soft_wrap=True)
        if p.speaker:
            out.print(f"   [dim]— speaker: {escape(p.speaker)}[/dim]", soft_wrap=True)


DUPLICATES_SHOWN = 20  # duplicate import records named one by one, at most


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="JSON array or JSON Lines of {title, url, body, source?, author?, published_at?}.")],
            config: ConfigOption = None) -> None:
    """Bulk-import already-extracted articles; bad records are reported by position and skipped."""
    with _service(config) as service, _progress(2, "importing") as bar:
        task = bar.add_task("import", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = service.import_file(file, progress=step)
    for position, message in report.failed:
        err.print(f"[red]record {position} skipped:[/red] {escape(message)}")
    for position, message in report.duplicate_records[:DUPLICATES_SHOWN]:
        err.print(f"[yellow]record {position}[/yellow] {escape(message)}")
    if len(report.duplicate_records) > DUPLICATES_SHOWN:
        err.print(f"[yellow]and {len(report.duplicate_records) - DUPLICATES_SHOWN} more duplicate records[/yellow]")
    err.print(f"imported {report.added} articles ({report.passages} passages) in {report.seconds:.1f} s; "
              f"{report.updated} updated, {report.duplicates} already held, {len(report.failed)} skipped")


@app.command()
def ask(question: Annotated[str | None, typer.Argument(help="The question.")] = None,
        k: Annotated[int | None, typer.Option("--k", "-k", help="How many passages at most.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one object, or JSON Lines with --batch).")] = False,
        batch: Annotated[Path | None, typer.Option("--batch", help="A file of questions, one per line.")] = None,
        source: Annotated[str | None, typer.Option(help="Only articles from this outlet or agency (part of its name).")] = None,
        since: Annotated[str | None, typer.Option(help="Only articles published on or after this date (YYYY-MM-DD).")] = None,
        until: Annotated[str | None, typer.Option(help="Only articles published on or before this date.")] = None,
        speaker: Annotated[str | None, typer.Option(help="Only passages quoting this speaker (part of a name or role).")] = None,
        config: ConfigOption = None) -> None:
    """Answer a question with the most relevant passages, each attributed and linked.

    Filters can also be typed in the question: source:Reuters speaker:"Helga Rustad" since:2026-03-01 until:2026-03-31.
    """
    if batch is None and question is None:
        err.print("[red]error:[/red] give a question, or --batch FILE")
        raise typer.Exit(2)
    filters = {"source": source, "since": since, "until": until, "speaker": speaker}
    with _service(config) as service:
        if batch is not None:
            try:
                questions = [q for q in batch.read_text(encoding="utf-8").splitlines() if q.strip()]
            except OSError as e:
                raise CorpusError(f"cannot read {batch}: {e}") from e
            for start in range(0, len(questions), 64):
                for answer in service.ask_many(questions[start:start + 64], k, **filters):
                    _print_answer(answer, as_json)
            return
        try:
            answer = service.ask_logged(Origin("cli"), question or "", k, **filters).answer
        except RetrievalError as e:
            if not as_json:
                raise
            answer = Answer(question or "", False, [], reason=Reason.BAD_QUESTION, error=str(e))
        _print_answer(answer, as_json)


def _print_answer(answer: Answer, as_json: bool) -> None:
    if as_json:
        note = partial_note(answer) if answer.answered else why_unanswered(answer)
        print(json.dumps({**answer.to_json(), "note": note}, ensure_ascii=False), flush=True)
        return
    if not answer.answered:
        out.print(escape(why_unanswered(answer)))
        return
    if note := partial_note(answer):
        out.print(f"[yellow]{escape(note)}[/yellow]", soft_wrap=True)
    # soft_wrap: the terminal wraps long lines itself, so names and links are never cut in two.
    for n, p in enumerate(answer.passages, 1):
        out.print(f"[bold]{n}.[/bold] {escape(p.text)}", soft_wrap=True)
        out.print(f"   [dim]— {escape(attribution_line(p))}[/dim]", soft_wrap=True)
        if p.url:
            out.print(f"   [link={p.url}]{escape(p.url)}[/link]  [dim](score {p.score:.4f}, similarity {p.similarity:.2f})[/dim]",
                      soft_wrap=True)
        carried = also_carried_line(p)
        if carried:
            out.print(f"   [dim]{escape(carried)}:[/dim]", soft_wrap=True)
            for copy in p.also_carried_by:
                label = " · ".join(x for x in (copy.get("source"), copy.get("title")) if x)
                link = f"  [link={copy['url']}]{escape(copy['url'])}[/link]" if copy.get("url") else ""
                out.print(f"     {escape(label)}{link}", soft_wrap=True)
        for other in p.disagrees_with:  # a copy stating other numbers, dates or names: never "also carried"
            out.print(f"   [yellow]{escape(disagreement_line(other))}[/yellow]", soft_wrap=True)
            if other.get("url"):
                out.print(f"     [link={other['url']}]{escape(other['url'])}[/link]", soft_wrap=True)
        out.print()


@app.command("list")
def list_(limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50, config: ConfigOption = None) -> None:
    """List held articles."""
    with _service(config) as service:
        articles = service.articles(limit)
        if not articles:
            out.print("No articles held yet.")
            return
        table = Table("id", "date", "outlet", "title", "passages", "url")
        for a in articles:
            table.add_row(str(a.id), (a.published_at or "")[:10], escape(a.source or ""), escape(a.title),
                          str(a.passage_count), escape(a.url or ""))
        out.print(table)


@app.command()
def remove(url_or_id: Annotated[str, typer.Argument(help="The article's URL or id (see `eventbot list`).")],
           config: ConfigOption = None) -> None:
    """Remove an article; its passages leave every index."""
    with _service(config) as service:
        article = service.remove(url_or_id)
        err.print(f"removed article {article.id}: {escape(article.title)}")


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
          config: ConfigOption = None) -> None:
    """Articles, passages, index size and model; the last day's questions, decline rate and latency."""
    with _service(config) as service:
        s = service.stats()
        day = service.activity()
        if as_json:
            print(json.dumps({"articles": s.articles, "passages": s.passages, "indexed": s.indexed,
                              "index_bytes": s.index_bytes, "model": s.model, "data_dir": s.data_dir,
                              "sources": [{"source": n, "articles": c} for n, c in s.sources],
                              "last_day": day.to_json()}, ensure_ascii=False))
            return
        out.print(f"articles: {s.articles}\npassages: {s.passages}\nindexed passages: {s.indexed}\n"
                  f"index size: {s.index_bytes / 1e6:.1f} MB\nmodel: {s.model}\ndata folder: {s.data_dir}")
        if s.sources:
            out.print("outlets: " + ", ".join(f"{escape(name)} ({n})" for name, n in s.sources[:20]))
        out.print(f"last day: {escape(activity_line(day))}")


@app.command()
def gaps(days: Annotated[int | None, typer.Option("--days", min=1, help="Look back this many days (default: question_log.gaps_days).")] = None,
         server: Annotated[int | None, typer.Option("--server", help="Only the questions asked in this Discord server (its id).")] = None,
         limit: Annotated[int, typer.Option("--limit", min=1, help="How many groups at most.")] = 20,
         as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
         config: ConfigOption = None) -> None:
    """Questions the bot declined and answers marked not helpful, grouped by wording, most frequent first:
    what to add next."""
    with _service(config) as service:
        days = days or service.config.question_log.gaps_days
        found = service.gaps(days, server, limit)
        if as_json:
            print(json.dumps({"days": days, "server": server, "gaps": [g.to_json() for g in found]}, ensure_ascii=False))
            return
        if not service.config.question_log.enabled:
            err.print("[yellow]the question log is off (question_log.enabled: false): nothing is recorded[/yellow]")
        if not found:
            out.print(f"No declined or unhelpful answers {window(days)}.")
            return
        for gap in found:
            out.print(f"[bold]{escape(gap_line(gap, days))}[/bold]", soft_wrap=True)
            out.print(f"   [dim]{escape(gap_detail(gap))}[/dim]", soft_wrap=True)
            if gap.wordings:
                out.print("   [dim]also asked as: " + escape(" | ".join(gap.wordings)) + "[/dim]", soft_wrap=True)


@app.command()
def reindex(config: ConfigOption = None) -> None:
    """Rebuild every index from the stored articles (after a model or splitting change, or to repair)."""
    with _service(config) as service, _progress(2, "reindexing articles") as bar:
        task = bar.add_task("reindex", total=None)
        s = service.reindex(progress=lambda done, total: bar.update(task, completed=done, total=total))
    err.print(f"reindexed {s.indexed} passages of {s.articles} articles with {s.model}")


@app.command()
def demo(config: ConfigOption = None) -> None:
    """Load the bundled demo corpus into a fresh data folder and answer sample questions."""
    from corpus import demo_corpus

    cfg = _config(config)
    folder = cfg.data_dir / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    articles = demo_corpus.load()
    with _service(config, data_dir=folder) as service, _progress(len(articles), "adding demo articles") as bar:
        task = bar.add_task("demo", total=len(articles))
        for item in articles:
            result = service.add_document(item.content, item.filename, url=item.url)
            if result.status == AddStatus.FAILED:
                err.print(f"[red]{escape(item.filename)}: {escape(result.message)}[/red]")
            bar.advance(task)
        bar.stop()
        for question in demo_corpus.sample_questions():
            out.rule(f"[bold]{escape(question)}[/bold]")
            _print_answer(service.ask(question, 2), as_json=False)
    err.print(f"The demo corpus is in {folder}. Ask your own: EVENTBOT_DATA_DIR={folder} eventbot ask \"...\"")


@app.command()
def run(config: ConfigOption = None,
        sync: Annotated[bool, typer.Option("--sync", help="Sync the slash commands even if unchanged.")] = False,
        ) -> None:
    """Start the Discord bot (the token is read from DISCORD_TOKEN, never from a file)."""
    token = discord_token()
    if token is None:
        err.print("[red]error:[/red] DISCORD_TOKEN is not set: put the bot's token in the environment, "
                  "e.g. DISCORD_TOKEN=... eventbot run")
        raise typer.Exit(2)
    cfg = _config(config)
    from bot.chat.client import StartFailed, run_bot  # discord loads only here
    from bot.corpora import Corpora

    corpora = Corpora(cfg.data_dir, cfg, cfg.discord.corpora, watch=WATCH_SECONDS)
    exporter = _serve_metrics(cfg, corpora)
    err.print("connecting to Discord (Ctrl+C or SIGTERM stops the bot, saving the index)")
    try:
        run_bot(corpora, cfg.discord, token.get_secret_value(),
                sync_state=cfg.data_dir / "discord-commands.json", force_sync=sync)
    except StartFailed as e:
        err.print(f"[red]error:[/red] {escape(str(e))}")
        raise typer.Exit(e.code) from e
    finally:
        if exporter is not None:
            exporter.shutdown()
        corpora.close()
    err.print("stopped; the index is saved")


def _serve_metrics(cfg: Config, corpora: Corpora) -> WSGIServer | None:
    """The metrics endpoint when `metrics.port` is set; a port in use is a warning, not a reason to stop."""
    if not cfg.metrics.port:
        return None
    from bot import metrics

    try:
        server = metrics.serve(cfg.metrics.port, cfg.metrics.address, corpora.services)
    except metrics.MetricsUnavailable as e:
        err.print(f"[yellow]warning:[/yellow] {escape(str(e))}. The bot runs without metrics.", soft_wrap=True)
        return None
    err.print(f"metrics at http://{cfg.metrics.address}:{server.server_port}/metrics", soft_wrap=True)
    return server


@app.command()
def doctor(config: ConfigOption = None,
           offline: Annotated[bool, typer.Option("--offline", help="Skip the one check that asks Discord.")] = False,
           ) -> None:
    """Check the config, the token, the model, the data folder, the articles and the index, the logging and
    metrics settings, and (with DISCORD_TOKEN) the slash commands Discord holds; say what to fix.

    Exit code 0 when nothing fails (warnings allowed), 1 otherwise. Nothing is written.
    """
    from bot.doctor import Status, commands_unchecked, diagnose, exit_code

    try:
        cfg = load_config(config)
    except ConfigError as e:
        out.print(f"[red]FAIL[/red] config: {escape(str(e))}", soft_wrap=True)
        raise typer.Exit(1) from e
    out.print("[green]ok[/green]   config: valid")
    token = discord_token()
    checks = diagnose(cfg, token)
    if not offline and (skipped := commands_unchecked(token)):
        checks.append(skipped)
    elif not offline and token is not None:
        from bot.chat.doctor import check_commands  # discord loads only here

        checks += check_commands(cfg, token)
    colour = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "red", Status.SKIP: "dim"}
    for c in checks:
        label = {Status.OK: "ok  ", Status.WARN: "warn", Status.FAIL: "FAIL", Status.SKIP: "skip"}[c.status]
        out.print(f"[{colour[c.status]}]{label}[/{colour[c.status]}] {c.name}: {escape(c.detail)}", soft_wrap=True)
        if c.fix and c.status is not Status.OK:
            out.print(f"       fix: {escape(c.fix)}", soft_wrap=True)
    raise typer.Exit(exit_code(checks))


feed_app = typer.Typer(help="Follow RSS and Atom feeds: their new articles are added as `add` adds a link.",
                       no_args_is_help=True)
app.add_typer(feed_app, name="feed")


@feed_app.command("add")
def feed_add(url: Annotated[str, typer.Argument(help="The feed's URL (RSS 0.9x/1.0/2.0 or Atom).")],
             config: ConfigOption = None) -> None:
    """Follow a feed (read first: a link that is no feed is refused). `eventbot run` polls it."""
    with _service(config) as service:
        feed = service.follow_feed(url)
        err.print(f"following feed {feed.id}: {escape(feed.title)} ({escape(feed.url)}); "
                  "`eventbot feed poll` adds its articles now, `eventbot run` polls it in the background")


@feed_app.command("list")
def feed_list(as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
              config: ConfigOption = None) -> None:
    """The feeds followed: last poll, last new entry, last error, articles added."""
    import time

    from bot.feed_present import feed_json, feed_status

    with _service(config) as service:
        feeds = service.feeds()
    if as_json:
        print(json.dumps([feed_json(f) for f in feeds], ensure_ascii=False, indent=1))
        return
    if not feeds:
        out.print("No feeds followed yet: `eventbot feed add URL`.")
        return
    now = time.time()
    for f in feeds:
        out.print(f"[bold]{f.id}.[/bold] {escape(f.title)}  [link={f.url}]{escape(f.url)}[/link]", soft_wrap=True)
        colour = "yellow" if f.last_error else "dim"
        out.print(f"   [{colour}]{escape(feed_status(f, now))}[/{colour}]", soft_wrap=True)


@feed_app.command("remove")
def feed_remove(url_or_id: Annotated[str, typer.Argument(help="The feed's URL or id (see `eventbot feed list`).")],
                config: ConfigOption = None) -> None:
    """Stop following a feed; the articles it added stay (remove them with `eventbot remove`)."""
    with _service(config) as service:
        feed = service.unfollow_feed(url_or_id)
        err.print(f"stopped following feed {feed.id}: {escape(feed.title)}")


@feed_app.command("poll")
def feed_poll(config: ConfigOption = None) -> None:
    """Poll every feed now and print what was added. Exit 0 when the polls ran, even if some feeds failed
    (their errors are listed)."""
    from bot.feed_present import poll_line

    with _service(config) as service:
        if not service.feeds():
            err.print("No feeds followed yet: `eventbot feed add URL`.")
            return
        report = service.poll_feeds()
    for poll in report.polls:
        colour = "red" if poll.error else "green" if poll.added else "dim"
        out.print(f"[bold]{poll.feed.id}.[/bold] {escape(poll.feed.title)}: "
                  f"[{colour}]{escape(poll_line(poll))}[/{colour}]", soft_wrap=True)
        for entry in poll.added:
            out.print(f"   {escape(entry.title)}  [link={entry.url}]{escape(entry.url or '')}[/link]", soft_wrap=True)
    err.print(f"polled {report.feeds_polled} feeds in {report.seconds:.1f} s: {report.articles_added} articles "
              f"added ({report.passages_indexed} passages), {report.pages_fetched} pages fetched, "
              f"{report.not_modified} not modified, {report.feeds_failed} failed")
    for feed, error in report.errors:
        err.print(f"[red]feed {feed.id} ({escape(feed.url)}):[/red] {escape(error)}", soft_wrap=True)


@app.command()
def timeline(query: Annotated[str, typer.Argument(help="The event, e.g. \"the dam breach\".")],
             since: Annotated[str | None, typer.Option(help="Only articles published on or after this date (YYYY-MM-DD).")] = None,
             until: Annotated[str | None, typer.Option(help="Only articles published on or before this date.")] = None,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
             png: Annotated[Path | None, typer.Option("--png", help="Also draw the timeline to this PNG file.")] = None,
             config: ConfigOption = None) -> None:
    """The event a query names as a dated timeline: the key paragraph of each development, in order, attributed."""
    with _service(config) as service:
        found = service.timeline(query, since, until)
    if png is not None and found.answered:
        from bot.timeline_image import write_png  # matplotlib is slow to import; only pictures need it

        try:
            write_png(found, png)
        except OSError as e:
            err.print(f"[red]error:[/red] cannot write {escape(str(png))}: {escape(str(e))}")
            raise typer.Exit(1) from e
        err.print(f"timeline drawn to {escape(str(png))}")
    if as_json:
        note = None if found.answered else why_unanswered(found.answer)
        print(json.dumps({**found.to_json(), "note": note}, ensure_ascii=False), flush=True)
    elif not found.answered:
        out.print(escape(why_unanswered(found.answer)))
    else:
        _print_timeline(found)
    if not found.answered:
        raise typer.Exit(1)


def _print_timeline(found: Timeline) -> None:
    assert found.event is not None
    out.print(f"[bold]{escape(event_line(found.event))}[/bold]", soft_wrap=True)
    out.print()
    for entry in found.entries:
        mark = f" [green]({FIRST_REPORT})[/green]" if entry.first_report else ""
        out.print(f"[bold]{escape(day(entry.published_at))}[/bold]{mark} [dim]— {escape(entry_attribution(entry))}[/dim]",
                  soft_wrap=True)
        out.print(f"   {escape(entry.text)}", soft_wrap=True)
        if entry.url:
            out.print(f"   [link={entry.url}]{escape(entry.url)}[/link]", soft_wrap=True)
        if names := carried_names(entry):
            out.print(f"   [dim]also carried by {escape(', '.join(names))}[/dim]", soft_wrap=True)
        for line in differs_lines(entry):
            out.print(f"   [yellow]{escape(line)}[/yellow]", soft_wrap=True)
        out.print()


@app.command()
def events(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
           limit: Annotated[int, typer.Option(help="How many, most recent activity first.")] = 50,
           config: ConfigOption = None) -> None:
    """The events held, most recent activity first, with their span and number of articles and outlets."""
    with _service(config) as service:
        held = service.events()[:max(limit, 0)]
    if as_json:
        print(json.dumps({"events": [e.to_json() for e in held]}, ensure_ascii=False), flush=True)
        return
    if not held:
        out.print("No events yet: add articles with `eventbot add URL_OR_FILE` or `eventbot import FILE`.")
        return
    for n, e in enumerate(held, 1):
        out.print(f"[bold]{n}.[/bold] {escape(event_line(e))}", soft_wrap=True)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
