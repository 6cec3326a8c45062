"""UI texts (zh, en) of the record list's toolbar menus, pager and batch bar."""

TEXTS: dict[str, dict[str, str]] = {
    "list_more": {"zh": "更多", "en": "More"},
    "list_view_menu": {"zh": "视图", "en": "View"},
    "list_view_table": {"zh": "表格", "en": "Table"},
    "list_pages": {"zh": "分页", "en": "Pages"},
    "list_prev_page": {"zh": "上一页", "en": "Previous"},
    "list_next_page": {"zh": "下一页", "en": "Next"},
    "list_page_n": {"zh": "第 {n} 页", "en": "Page {n}"},
    "list_page_size": {"zh": "每页", "en": "Per page"},
    "list_page_size_n": {"zh": "每页 {n} 条", "en": "{n} per page"},
    "list_back_to_pages": {"zh": "回到第 1 页", "en": "Back to page 1"},
    "list_capped": {"zh": "页码只到第 {n} 页,之后请点“下一页”继续。",
                    "en": "Page numbers stop at {n}; after it, go on with Next."},
    "list_by_cursor": {"zh": "已超过第 {n} 页:此处只能逐页向后翻。",
                       "en": "Past page {n}: from here the list goes on one page at a time."},
    "list_page_bad": {"zh": "页码应为正整数。", "en": "The page number must be a whole number from 1."},
    "list_page_too_far": {"zh": "页码最多到第 {max} 页;更后面的记录请在该页点“下一页”。",
                          "en": "Page numbers go up to {max}; for later records use Next on that page."},
    "list_size_bad": {"zh": "每页条数只能是 {sizes}。", "en": "Records per page can be {sizes} only."},
    "list_picked": {"zh": "已选 {n} 条", "en": "{n} selected"},
    "list_picked_none": {"zh": "勾选记录后可批量操作", "en": "Tick records to act on them"},
}
