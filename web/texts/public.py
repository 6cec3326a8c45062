"""UI texts (zh, en) of public forms (/f/{token}): the page anonymous visitors fill in and its refusals."""

TEXTS: dict[str, dict[str, str]] = {
    "public_send": {"zh": "提交", "en": "Send"},
    "public_required_note": {"zh": "带 * 的为必填项", "en": "Fields marked * are required"},
    "public_honeypot": {"zh": "请勿填写此项", "en": "Leave this empty"},
    "public_fix_errors": {"zh": "请修改标出的内容后再提交", "en": "Please correct the marked fields and send again"},
    "public_sent_title": {"zh": "已提交", "en": "Sent"},
    "public_off_title": {"zh": "表单已关闭", "en": "This form is closed"},
    "public_off": {"zh": "这个表单目前不接受填写。如有需要,请联系向您提供链接的人。",
                   "en": "This form is not taking answers at the moment. Please contact whoever gave you the link."},
    "public_not_found_title": {"zh": "页面不存在", "en": "Page not found"},
    "public_not_found": {"zh": "请检查链接是否完整、正确。", "en": "Please check that the link is complete and correct."},
    "public_too_many_title": {"zh": "提交太频繁", "en": "Too many posts"},
    "public_too_many": {"zh": "短时间内提交次数太多,请 {minutes} 分钟后再试。",
                        "en": "Too many posts in a short time; please try again in {minutes} minutes."},
    "public_too_fast": {"zh": "提交得太快了。请确认内容后再点一次“提交”。",
                        "en": "That was sent too quickly. Please check your answers and press Send again."},
    "public_expired": {"zh": "页面打开时间过长,已刷新。请确认内容后再提交。",
                       "en": "The page was open for too long and has been refreshed. Please check your answers and "
                             "send again."},
    "public_refused_title": {"zh": "无法提交", "en": "Not sent"},
    "public_refused": {"zh": "提交未被接受。请重新打开表单链接后再填写。",
                       "en": "The answer was not accepted. Please open the form's link again and fill it in."},
    "public_too_large": {"zh": "提交的内容太大,请缩短后再试。", "en": "What you sent is too large; shorten it and try again."},
}
