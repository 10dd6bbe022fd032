"""bench/web.py's figures as Markdown lines: the load table, the ratios, the freshness."""

from __future__ import annotations

from bench.speed_report import WEB_FRESH_MS, WEB_RATIO_TARGET
from bench.webfresh import FRESH_PATIENCE, POLL_EVERY
from bench.webload import WRK_TIMEOUT


def freshness_line(fresh: dict) -> str:
    """The report's freshness line: the delay, or why it was not measured."""
    delay = fresh["delay_ms"]
    if fresh["index_exit_code"]:
        return (f"- Freshness: NOT measured, `pressroom index` failed (exit code "
                f"{fresh['index_exit_code']}): " + " / ".join(fresh["index_output"]))
    elif delay is None:
        return (f"- Freshness: the {fresh['releases']} new releases were NOT found "
                f"within {FRESH_PATIENCE:.0f} s of the commit.")
    else:
        after_exit = fresh["delay_after_exit_ms"]
        exit_text = (f"{after_exit:.0f} ms after the command exited" if after_exit >= 0
                     else f"{-after_exit:.0f} ms before the command exited")
        return (
            f"- Freshness: `pressroom index` added {fresh['releases']} releases during the "
            f"load (exit code {fresh['index_exit_code']}, {fresh['index_seconds']:.1f} s); all "
            f"{fresh['releases']} were found **{delay:.0f} ms** after the commit "
            f"(target ≤ {WEB_FRESH_MS} ms), {exit_text}. Commit moment: mtime of the new "
            f"`{fresh['commit_toc']}` (written just before it is renamed into place); found: "
            f"end of the first `/api/search?q=<marker>` poll (one every "
            f"{POLL_EVERY * 1000:.0f} ms) that counted all of them. That poll was sent "
            f"{fresh['seen_poll_sent_ms']:.0f} ms after the commit and took "
            f"{fresh['seen_poll_ms']:.0f} ms (a commit retires every cached page, so right "
            "after one the load is all uncached searches, and the poll queues behind them).")


def web_section(result: dict) -> list[str]:
    """Markdown lines: the load table, the ratios and the freshness delay."""
    loads = result["loads"]
    fresh = result["freshness"]
    lines = [
        "## Web: `pressroom serve` under load, and freshness",
        "",
        f"{result['wrk']} on loopback, {result['connections']} connections, "
        f"{result['wrk_threads']} threads, {result['duration']:g} s per run after a warm-up; "
        f"`pressroom serve` (gunicorn, buffering worker, {result['workers']} workers × "
        f"{result['threads']} threads) on an index of {result['index_releases']:,} releases; "
        f"the search runs cycle through the {result['queries']} queries of "
        "`bench/queries-mix.tsv` as `/api/search` requests. Errors are non-2xx responses "
        f"plus socket errors (timeout {WRK_TIMEOUT}). {result['cpus']} CPUs, load average "
        f"{result['load_average'][0]:.1f} before the run and {result['load_average'][1]:.1f} "
        "after it (the server, wrk and the indexer share those CPUs).",
        "",
        "Warm-up before each run (s): "
        + ", ".join(f"{k} {v:.0f}" for k, v in result["warm_up_seconds"].items()) + ".",
        "",
        "| scenario | seconds | requests | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for x in [*loads, fresh["load"]]:
        lines.append(f"| {x['name']} | {x['seconds']:.0f} | {x['requests']:,} | {x['rps']:.1f} "
                     f"| {x['p50_ms']:.1f} | {x['p99_ms']:.1f} | {x['errors']} |")
    ratio, uncached = result["ratio_cached"], result["ratio_uncached"]
    slices = result["ratio_cached_slices"]
    spread = (f" (per pair of {result['slice_seconds']:g}-second slices "
              f"{min(slices):.2f}–{max(slices):.2f}×)" if len(slices) > 1 else "")
    lines += [
        "",
        f"- Search with the page cache on (default size {result['page_cache_size']}) / "
        f"trivial JSON: **{ratio:.2f}×**{spread} (target ≥ {WEB_RATIO_TARGET:g}×). "
        "The two take turns in slices on one server (ABBA order), so load from outside "
        "weighs on both alike.",
        f"- Search with the page cache off / trivial JSON: {uncached:.2f}× (a server "
        "restarted with `PRESSROOM_PAGE_CACHE_SIZE=0`, one run after the others, so this "
        "ratio is less exact).",
    ]
    lines.append(freshness_line(fresh))
    server = result["server"]
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(server["non2xx"].items())) or "none"
    lines.append(f"- Poll errors: {fresh['poll_error_count']}; partial counts seen: "
                 f"{len(fresh['partial_totals'])}; non-2xx responses in the server logs "
                 f"(warm-ups and requests in flight when a run stopped included): {statuses}; "
                 f"errors logged by the server: {server['error_count']}.")
    if server["errors"]:
        first = server["errors"][0].splitlines()
        lines.append(f"- First server error: `{first[1].strip()}` … `{first[-1].strip()}`.")
    return lines
