"""The catalogue's labels for the Data quality page (runs, freshness, checks, quarantine).

Part of the one catalogue: ``dashboards/i18n.py`` merges these into ``LABELS``; they live in
their own file because the page's run and check messages are long in both languages.
"""

from __future__ import annotations

QUALITY_LABELS: dict[str, tuple[str, str]] = {
    "dq.runs": ("Last runs", "最近运行"),
    "dq.freshness": ("Freshness per source", "各数据源新鲜度"),
    "dq.files": ("Files landed", "文件导入情况"),
    "dq.quarantine": ("Quarantined files and their reasons", "隔离文件及原因"),
    "dq.rejects": ("Rejected rows and their reasons", "被拒绝的行及原因"),
    "dq.models": ("Model runs", "模型运行"),
    "dq.no_quarantine": ("No file is in quarantine.", "没有被隔离的文件。"),
    "dq.no_rejects": ("No row was rejected.", "没有被拒绝的行。"),
    "dq.summary": (
        "{files} files landed, {quarantined} quarantined",
        "已导入 {files} 个文件，{quarantined} 个被隔离",
    ),
    "dq.checks": ("Quality checks of the newest run", "最近一次运行的质量检查"),
    "dq.no_checks": ("No quality check has run yet.", "尚未运行质量检查。"),
    "dq.checks_blocked": (
        "{failed} error-level checks failed: this build was not published.",
        "{failed} 项错误级检查未通过：该构建未发布。",
    ),
    "dq.checks_warned": (
        "{warned} checks warn; the build was published.",
        "{warned} 项检查给出警告；构建已发布。",
    ),
    "dq.last_run_blocked": (
        "The newest run (finished {when} UTC) was blocked by {failed} error-level checks and did"
        " not publish: every page still shows the last good build. {message}",
        "最近一次运行（{when} UTC 结束）被 {failed} 项错误级检查拦截，未发布：各页面仍显示上一个"
        "合格构建。{message}",
    ),
    "dq.last_run_failed": (
        "The newest run (finished {when} UTC) failed and did not publish: every page still shows"
        " the last good build. {message}",
        "最近一次运行（{when} UTC 结束）失败，未发布：各页面仍显示上一个合格构建。{message}",
    ),
    "dq.last_run_interrupted": (
        "The newest run (stopped {when} UTC) was interrupted before it published: every page"
        " still shows the last good build. Run `tandem run` again to finish it.",
        "最近一次运行（{when} UTC 停止）在发布前被中断：各页面仍显示上一个合格构建。"
        "再次运行 `tandem run` 即可完成。",
    ),
    "dq.what_to_do": ("What to do", "处理办法"),
    "dq.checks_passed": ("All {checks} checks passed.", "全部 {checks} 项检查通过。"),
    "dq.check_history": ("Check results per run", "各次运行的检查结果"),
    "dq.pipeline_runs": ("Pipeline runs and step durations", "流水线运行及各步骤耗时"),
    "dq.no_pipeline_runs": ("No pipeline run is recorded yet.", "尚无流水线运行记录。"),
    "dq.latest_load": ("Latest load", "最近加载"),
    "dq.stale_hours": ("Hours since", "距今小时"),
}
