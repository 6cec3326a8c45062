"""UI texts (zh, en) of per-record links (/f/r/{token}): the survey page, its refusals, and the links on a record."""

TEXTS = {
    "record_link_expired_title": {"zh": "链接已过期", "en": "This link has expired"},
    "record_link_expired": {"zh": "这个链接已过期,无法再提交。如有需要,请联系向您发送链接的人。",
                            "en": "This link has expired and no longer takes answers. "
                                  "Please contact whoever sent it to you."},
    "record_link_answered_title": {"zh": "已经提交过了", "en": "Already answered"},
    "record_link_answered": {"zh": "这个链接已经提交过一次,感谢您的反馈!每个链接只能提交一次。",
                             "en": "This link has been answered already — thank you! It takes one answer."},
    "record_link_conflict": {"zh": "记录刚刚被修改,请确认内容后再提交一次。",
                             "en": "The record was changed just now; check your answer and send it again."},
    "record_links_title": {"zh": "专属链接", "en": "Record links"},
    "record_links_help": {"zh": "发给客户,对方无需登录即可通过链接填写。",
                          "en": "Send it to a customer: they fill it in without an account."},
    "record_link_expires": {"zh": "从现在起 {days} 天内有效", "en": "Works for {days} days from now"},
    "record_link_once": {"zh": "只能提交一次", "en": "Takes one answer"},
    "record_link_copy": {"zh": "复制", "en": "Copy"},
}
