"""UI texts (zh, en) of big exports run in the background: their page, progress, download and failures."""

TEXTS: dict[str, dict[str, str]] = {
    "export_job_title": {"zh": "导出 {form}", "en": "Export of {form}"},
    "export_job_format_xlsx": {"zh": "Excel 文件", "en": "Excel workbook"},
    "export_job_format_csv": {"zh": "CSV 文件", "en": "CSV file"},
    "export_job_intro": {"zh": "记录较多,文件在后台生成。可以离开或刷新此页,稍后回来下载。",
                         "en": "There are many records, so the file is being prepared in the background. You may "
                               "leave or reload this page and come back for the download."},
    "export_job_queued": {"zh": "排队中,马上开始…", "en": "Waiting to start…"},
    "export_job_running": {"zh": "正在导出", "en": "Exporting"},
    "export_job_rows": {"zh": "已导出 {done} / {total} 条记录", "en": "{done} of {total} records exported"},
    "export_job_done": {"zh": "导出完成:{rows} 条记录", "en": "Export finished: {rows} records"},
    "export_job_download": {"zh": "下载文件", "en": "Download the file"},
    "export_job_kept_until": {"zh": "文件保留到 {time},之后会被删除。", "en": "The file is kept until {time}, then deleted."},
    "export_job_failed": {"zh": "导出失败", "en": "The export failed"},
    "export_job_retry": {"zh": "重试", "en": "Try again"},
    "export_job_back": {"zh": "返回列表", "en": "Back to the list"},
    "export_job_removed": {"zh": "这个导出文件已过保留期被删除,请重新导出",
                           "en": "This export's file was deleted after its keeping time; export again"},
    "export_job_not_ready": {"zh": "导出还没有完成,完成后才能下载", "en": "The export is not finished yet; download it "
                             "once it is"},
    "export_job_missing": {"zh": "没有这个导出", "en": "There is no such export"},
    "export_job_not_yours": {"zh": "这是别人的导出,只有发起导出的人可以查看和下载",
                             "en": "This export belongs to someone else: only the person who asked for it may see "
                                   "and download it"},
    "export_job_no_right": {"zh": "你已没有导出这个表单的权限", "en": "You may no longer export this form"},
}
