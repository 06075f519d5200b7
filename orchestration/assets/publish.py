"""The publish asset: the last step of every run, swapping the build into the serving file."""

import time
from pathlib import Path

import dagster as dg

from orchestration.publish import checkpoint, compact, publish
from orchestration.resources import TandemConfig
from orchestration.serving_content import load_plan
from orchestration.uptodate import (
    clear_gated_build,
    gated_build_unchanged,
    record_publish,
    refresh_gated_identity,
)

PUBLISH_GROUP = "serving"
# a lock another process holds for a moment (a reader opening the build without read_only, a
# backup) is worth waiting for: 4 more attempts, 1 + 2 + 4 + 8 s apart
PUBLISH_RETRIES = 4

_TRANSIENT_TEXT = ("could not set lock", "conflicting lock", "resource temporarily unavailable")


def is_transient(error: BaseException) -> bool:
    """A failure that may pass on its own (a file lock held by another process); a full disk,
    a missing file or a broken build will not, and fail at once."""
    text = str(error).lower()
    return any(words in text for words in _TRANSIENT_TEXT)


def publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["serving_warehouse"]),
        deps=upstream,
        group_name=PUBLISH_GROUP,
        kinds={"duckdb"},
        description="Marts, model outputs and their docs, copied from the build file into a "
        "fresh read-only serving file that replaces the last one atomically; then the masked "
        "copy the workbench gives roles that may not see personal data.",
    )
    def serving_warehouse(context: dg.AssetExecutionContext, tandem: TandemConfig):
        from dashboards.workbench.connection import adopt_masked_copy, build_masked_copy

        settings = tandem.settings()
        plan, manifest = load_plan(settings)
        masked: list[tuple[Path, float]] = []

        def build_masked(staged: Path) -> None:
            # built before the swap, not on an analyst's first query after it: the copy is named
            # by the staged file's inode, size and mtime, which the rename keeps
            started = time.perf_counter()
            masked.append((build_masked_copy(staged), time.perf_counter() - started))

        # publish compacts a bloated build file into a new file with the same tables; a gated
        # build stays resumable through that (a publish killed after it need not rebuild)
        gated = gated_build_unchanged(settings)
        try:
            if settings.build_db.exists():  # else publish says there is no build
                checkpoint(settings.build_db)
                if compact(settings.build_db) and gated:
                    refresh_gated_identity(settings)
            result = publish(
                settings.build_db, settings.serving_db, plan, manifest, before_swap=build_masked
            )
        except Exception as error:
            if not is_transient(error) or context.retry_number >= PUBLISH_RETRIES:
                raise
            wait = 2**context.retry_number
            context.log.warning(
                f"publish attempt {context.retry_number + 1}: {error}; retry in {wait} s"
            )
            raise dg.RetryRequested(max_retries=PUBLISH_RETRIES, seconds_to_wait=wait) from error
        # what this publish was built from: the next `tandem run` skips when nothing changed
        clear_gated_build(settings)
        record_publish(settings)
        for name in result.stale_removed:
            context.log.warning(f"removed {name}: the copy of a publish that was killed")
        context.log.info(
            f"published {result.tables} tables, {result.bytes:,} bytes to {result.serving_path}"
        )
        masked_path, masked_seconds = masked[-1]
        adopt_masked_copy(masked_path)
        context.log.info(f"masked copy for the workbench: {masked_path} in {masked_seconds:.1f} s")
        return dg.MaterializeResult(
            metadata={
                "path": str(result.serving_path),
                "bytes": result.bytes,
                "tables": result.tables,
                "seconds": round(result.seconds, 3),
                "masked_copy": str(masked_path),
                "masked_copy_seconds": round(masked_seconds, 3),
            }
        )

    return serving_warehouse
