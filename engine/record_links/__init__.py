"""Per-record links (`record_links:` in a form): a signed address bound to one record that lets an anonymous visitor
fill chosen fields of that record (a satisfaction survey for a closed ticket) or create records related to it
(feedback on a campaign). The token names the form, the record, the link and the expiry, so no row is needed to
verify it; a link marked `once` records its answer so a second one is refused.

- tokens.py: making and reading the signed token
- kinds.py: what each kind of link offers, checks and writes ("update", "create")
- answers.py: the table of answered once-only links
- visits.py: a visitor's link opened and answered; the links of a record (for emails and the record page)
"""

VIA = "record_link"  # the channel records written through a link carry in their history

from engine.record_links import answers as answers  # noqa: E402 -- registers its table with the system tables
