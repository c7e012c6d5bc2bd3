"""Page clutter: what a line of page furniture looks like, by shape and by classes of words.

Two strengths of evidence. *Sure* clutter is short and made only of interface vocabulary
("Share", "3 Comments", "Home › World › Europe", "Advertisement"): removed quietly. *Guessed*
clutter is prose whose vocabulary is that of a plea, a cookie banner or a caption: removed, and
the importer says so, because prose can be mistaken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that make up interface rows: share bars, menus, comment widgets, players.
_UI_WORDS = {
    "share", "shares", "this", "article", "story", "page", "post", "on", "via", "tweet", "facebook", "twitter",
    "x", "linkedin", "whatsapp", "telegram", "reddit", "pinterest", "email", "e-mail", "mail", "print",
    "copy", "link", "copied", "save", "saved", "bookmark", "follow", "us", "like", "comment", "comments",
    "reply", "menu", "search", "home", "subscribe", "sign", "in", "up", "log", "login", "logout", "register",
    "skip", "to", "content", "main", "navigation", "toggle", "close", "open", "back", "top", "next",
    "previous", "prev", "older", "newer", "posts", "permalink", "related", "loading", "listen", "audio",
    "watch", "video", "play", "pause", "more", "options", "font", "size", "text", "a", "the", "gift",
    "advertisement", "advertising", "sponsored", "ad", "ads", "feedback", "report", "an", "error", "rss",
    "feed", "whatsapp", "messenger", "flipboard", "instagram", "youtube", "tiktok", "threads", "bluesky",
    "mastodon", "vk", "news", "google", "and", "or", "your", "here", "click", "tap", "get", "app",
    "download", "accessibility", "edition", "language", "english", "light", "dark", "mode", "account",
    "my", "cancel", "submit", "send", "ok", "accept", "reject", "all", "settings", "of", "contents",
    "restack", "paid", "premium", "upgrade", "free", "listen", "min", "read", "sections", "sport", "weather",
    "business", "world", "politics", "opinion", "culture", "live", "latest", "podcasts", "newsletters",
}
_COMMENT_FORM = re.compile(
    r"^(?:(?:\d+|no|one|two|three)\s+(?:comments?|responses?|replies|thoughts?)(?:\s+on\b.*)?"
    r"|leave\s+an?\s+(?:comment|reply).*|(?:post|submit|add)\s+(?:an?\s+|your\s+)?(?:comment|reply)"
    r"|comments?\s+(?:are|is)\s+closed\.?|comments?\s*(?:\(\d+\))?|discussion|join\s+the\s+(?:conversation|discussion)"
    r"|your\s+email\s+address\s+will\s+not\s+be\s+published\..*|required\s+fields\s+are\s+marked.*"
    r"|save\s+my\s+name,?\s+email.*|notify\s+me\s+of\s+.*|(?:name|email|website|comment)\s*\*?"
    r"|(?:log\s+in|sign\s+in)\s+to\s+(?:reply|comment).*|cancel\s+reply|you\s+must\s+be\s+logged\s+in.*"
    r"|this\s+site\s+uses\s+akismet.*|show\s+(?:\d+\s+)?comments?|view\s+comments?)$", re.IGNORECASE)
_COMMENT_AUTHOR = re.compile(r"^\S+(?:\s+\S+){0,3}\s+(?:says:?|said:|wrote:|replied:)$", re.IGNORECASE)
_FURNITURE = re.compile(
    r"^(?:advertisement|advertising|sponsored(?:\s+content)?|partner\s+content|ad|"
    r"(?:story|article)\s+continues\s+(?:below|after)(?:\s+(?:this\s+)?(?:advertisement|ad))?|"
    r"scroll\s+(?:down\s+)?to\s+continue.*|continue\s+reading(?:\s+(?:below|the\s+main\s+story))?|"
    r"read\s+more|read\s+the\s+full\s+(?:story|article)|(?:\d+\s*)?min(?:ute)?s?\s+read|reading\s+time:?.*|"
    r"(?:\d+|an?|one)\s+(?:seconds?|minutes?|hours?|days?|weeks?)\s+ago|(?:updated|published)\s+"
    r"(?:\d+|an?|one)\s+(?:minutes?|hours?|days?)\s+ago|just\s+now|listen\s+to\s+(?:this\s+)?article.*|"
    r"\d{1,2}:\d\d(?:\s*/\s*\d{1,2}:\d\d)?|back\s+to\s+top|skip\s+to\s+(?:main\s+)?content|"
    r"(?:image|photo|picture|video|media)\s+(?:source|caption|credit)s?,?.*|"
    r"(?:photo|image|picture|illustration|graphic|video|credit|photograph|pictured)s?(?:\s+credit)?\s*:.{0,80}|"
    r"\(?(?:photo|image|picture)s?\s+(?:by|courtesy|credit|:)[^)]{0,80}\)?|"
    r"we\s+(?:use|value)\s+cookies.*|this\s+(?:site|website)\s+uses\s+cookies.*|"
    r"(?:sign\s+up|subscribe)\s+(?:for|to)\s+(?:our|the)\s+.{0,40}newsletter.*|"
    r"(?:get|receive)\s+(?:our|the)\s+.{0,40}(?:newsletter|in\s+your\s+inbox).*|"
    r"(?:support|donate\s+to)\s+(?:us|our\s+(?:work|journalism|reporting))\.?|donate(?:\s+now)?|"
    r"become\s+a\s+(?:member|patron|subscriber|supporter)\.?|related(?:\s+(?:posts|articles|stories))?:?|"
    r"(?:tags|topics|categories|share\s+this|share\s+on|like\s+this):?)$", re.IGNORECASE)
_CAPTION = re.compile(r"^(?:image|photo|picture|video|media)\s+caption,?\s*:?\s*\S.*$", re.IGNORECASE)
_CRUMB_SEPARATORS = re.compile(r"\s*(?:›|»|>|→|/|\\|::)\s*")
# A plea asks the reader for money, membership or a subscription, and addresses them.
_PLEA_ASK = re.compile(
    r"\b(?:donat\w*|contribut\w*|patron\w*|patreon|paypal|membership|members?hip|subscri\w*|chip\s+in|pledge|"
    r"support\s+(?:us|our|my|independent|this)|(?:the\s+)?support\s+of\s+(?:\w+\s+)?readers|help\s+us|join\s+(?:us|our)|"
    r"become\s+a\s+\w+|make\s+a\s+(?:gift|contribution|donation)|sign\s+up|ways\s+to\s+support|"
    r"depends?\s+on\s+(?:the\s+support|readers|you)|funded\s+by\s+(?:readers|you)|newsletters?|inbox|"
    r"delivered\s+to\s+you)", re.IGNORECASE)
_PLEA_MONEY = re.compile(
    r"(?:[$€£]\s?\d|\b\d+\s?(?:usd|eur|gbp|dollars|euros|pounds)\b|\bper\s+month\b|\ba\s+month\b|\bmonthly\b|"
    r"\bcup\s+of\s+coffee\b|\bas\s+little\s+as\b|\bgoes\s+a\s+long\s+way\b|\btax[- ]deductible\b|\bone[- ]off\b|"
    r"\bcost\s+of\b|\bfunding\b|\bpaywall\b|\bfree\s+(?:of\s+charge|to\s+read|for\s+everyone)\b)", re.IGNORECASE)
_PLEA_MISSION = re.compile(
    r"\b(?:independent\s+(?:journalism|media|reporting|news)|our\s+(?:journalism|reporting|work|mission|coverage|"
    r"newsroom|community|journalists|readers|team|(?:[\w-]+[, ]+){0,3}team)|readers\s+like\s+you|reader[- ](?:supported|funded)|"
    r"(?:open|accessible)\s+to\s+everyone|power\s+of\s+free\s+information|quality\s+(?:journalism|analysis)|"
    r"keep\s+(?:our|this|it)\s+\w+\s+(?:free|open)|produce\s+more)", re.IGNORECASE)
# A plea speaks to the reader: "you", or a sentence opening with an ask ("Subscribe for free …").
_IMPERATIVE = re.compile(r"(?:^|[.!?]\s+)(?:subscribe|donate|support|join|become|sign\s+up|help\s+us|give|chip\s+in|"
                         r"upgrade|pledge|thanks\s+for\s+reading)\b", re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours)\b", re.IGNORECASE)
_FIRST_PLURAL = re.compile(r"\b(?:we|our|us|we're|we’re)\b", re.IGNORECASE)
_SPEECH = re.compile(r"[“”\"]|\b(?:said|says|told|according to)\b", re.IGNORECASE)
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT = re.compile(r"\b(?:consent|accept|agree|privacy|policy|preferences|settings|partners|"
                             r"browsing|personali[sz]\w*|we\s+use|this\s+(?:site|website))\b", re.IGNORECASE)
POLICY_LINK = "a standards or policy link"
# A link to the publisher's standards or policies, placed under an article: "Our Standards: The
# Thomson Reuters Trust Principles.", "Editorial guidelines: How We Work", "Read our corrections policy".
_POLICY = (r"(?:(?:editorial|journalism|journalistic|newsroom|ethical|trust)\s+)?(?:standards?|principles|values|ethics|polic(?:y|ies)|"
           r"guidelines|code\s+of\s+(?:ethics|conduct|practice)|corrections?(?:\s+policy)?)"
           r"(?:\s+(?:and|&)\s+(?:\w+\s+)?(?:standards?|principles|values|ethics|polic(?:y|ies)|guidelines|corrections?))?")
_POLICY_LABEL = re.compile(r"^(?:(?:our|the|its|[\w&.'’-]+(?:\s+[\w&.'’-]+){0,2}['’]s?)\s+)?" + _POLICY
                           + r"\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_POLICY_LINK = re.compile(r"^(?:(?:read|see|view|learn\s+(?:more\s+)?about|about|more\s+about)\s+(?:our|the)\s+" + _POLICY
                          + r"|(?:the\s+)?(?:[\w&.'’-]+\s+){0,3}(?:trust\s+principles|editorial\s+(?:standards|guidelines|"
                          r"polic(?:y|ies))|code\s+of\s+(?:ethics|conduct)))\.?$", re.IGNORECASE)
LIST_HEADING = re.compile(
    r"^(?:read\s+also|also\s+read|see\s+also|read\s+more|more\s+reading|further\s+reading|related"
    r"(?:\s+(?:articles?|stories|posts|coverage|content|links|reading|news))?|more\s+(?:on\s+this(?:\s+story)?|"
    r"stories|news|like\s+this|from\s+[\w ]{1,30}|on\s+[\w ]{1,30}|to\s+read)|recommended(?:\s+(?:for\s+you|reading|stories))?|"
    r"you\s+(?:may|might)\s+also\s+(?:like|be\s+interested\s+in|enjoy)|don[’']?t\s+miss|what\s+to\s+read\s+next|"
    r"latest(?:\s+(?:news|stories|articles|posts))?|most\s+(?:read|popular|viewed|shared)|top\s+stories|"
    r"trending(?:\s+now)?|editor[’']?s\s+picks?|in\s+case\s+you\s+missed\s+it|also\s+on\s+[\w ]{1,30}|"
    r"popular\s+(?:posts|stories|articles)|recent\s+(?:posts|stories|articles)|keep\s+reading|"
    r"other\s+(?:stories|articles|news)|related\s+topics)\s*(?P<colon>[:：»›>→-])?\s*(?P<rest>.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Clutter:
    """Why a line is clutter; `guessed` when the evidence is vocabulary in prose."""

    kind: str
    guessed: bool = False


def classify_clutter(text: str) -> Clutter | None:
    """Sure clutter by shape (short interface lines), or None."""
    if len(text) > 400:
        return None
    bare = re.sub(r"^[\W_]+|[\s:.,!…»›>→]+$", "", text) or text
    if _COMMENT_FORM.match(bare) or _COMMENT_FORM.match(text.strip()):
        return Clutter("comment form")
    if _COMMENT_AUTHOR.match(bare) and len(bare.split()) <= 5:
        return Clutter("comment form")
    if _CAPTION.match(bare):
        return Clutter("a picture caption", guessed=True)
    if _FURNITURE.match(bare):
        return Clutter("page furniture")
    if is_policy_line(bare):
        return Clutter(POLICY_LINK)
    if not re.search(r"[^\W\d_]", text):
        return Clutter("counter or symbol row")  # "12", "3", "★★★★": counts from share and like buttons
    if is_breadcrumb(text):
        return Clutter("navigation")
    words = re.findall(r"[\w'’-]+", text.lower())
    if words and len(words) <= 12 and all(w in _UI_WORDS for w in words) and not text.rstrip().endswith("."):
        return Clutter("share or menu row")
    return None


def is_policy_line(text: str) -> bool:
    """A short line pointing to the publisher's standards or policies, not a sentence about them:
    a policy label with a capitalised name after its colon ("Our Standards: The Thomson Reuters
    Trust Principles"), or such a name or link alone ("Read our editorial guidelines")."""
    text = text.strip().rstrip(".")
    words = text.split()
    if not 1 <= len(words) <= 12 or re.search(r"[.!?;]\s", text):
        return False
    labelled = _POLICY_LABEL.match(text)
    if labelled:
        value = labelled.group("value").split()
        return len(value) <= 8 and all(w[0].isupper() or w[0].isdigit() or len(w) <= 3 for w in value)
    if not _POLICY_LINK.match(text):
        return False
    # A name alone must be written as one: capitalised words ("The Trust Principles"), not a phrase.
    return text.lower().startswith(("read", "see", "view", "learn", "about", "more")) or \
        all(w[0].isupper() or len(w) <= 3 for w in words)


def is_breadcrumb(text: str) -> bool:
    """"Home › World › Europe", "News / Politics / Defence", "Home | News | Sport": short
    segments joined by arrows, slashes or bars (bars only for three or more one-to-three-word parts)."""
    if len(text) > 150:
        return False
    parts = [p for p in _CRUMB_SEPARATORS.split(text.strip()) if p]
    bars = [p.strip() for p in text.split("|") if p.strip()]
    if len(bars) >= 3 and all(len(p.split()) <= 3 and p[0].isupper() and not p.endswith((".", "?", "!", ":"))
                              and not re.search(r"\d", p) for p in bars):
        return True
    if len(parts) < 2 or not re.search(r"›|»|>|→|/|\\|::", text):
        return False
    if len(parts) == 2 and parts[0].lower() not in ("home", "news", "start", "front page", "homepage"):
        return False
    return all(len(p.split()) <= 4 and not p.endswith((".", "?", "!")) and not p[0].isdigit()
               and not p.startswith("http") for p in parts)


def plea_score(text: str) -> int:
    """How much a paragraph reads like a donation, membership or newsletter plea (0 = not at all).

    News prose reports; a plea asks the reader ("you") on behalf of the publication ("we",
    "our") for support, names money or membership, and speaks of its own mission. Each class
    of words counts once; quoted speech is not a plea.
    """
    you = 1 if _SECOND_PERSON.search(text) else 0
    addressed = you or (1 if _IMPERATIVE.search(text) else 0)
    if len(text) > 1500 or not addressed:
        return 0
    asks = len({m.group(0).lower() for m in _PLEA_ASK.finditer(text)})
    money = 1 if _PLEA_MONEY.search(text) else 0
    mission = len({m.group(0).lower() for m in _PLEA_MISSION.finditer(text)})
    address = 1 if you and _FIRST_PLURAL.search(text) else 0
    if _SPEECH.search(text) and not (asks and money):
        return 0
    score = 2 * min(asks, 2) + money + min(mission, 2) + address + addressed
    return score if asks or mission >= 2 else 0


def classify_prose(text: str) -> Clutter | None:
    """Guessed clutter among prose paragraphs: pleas and cookie banners."""
    if plea_score(text) >= 4:
        return Clutter("a donation, membership or newsletter plea", guessed=True)
    if "cookie" in text.lower() and _COOKIE.search(text) and _COOKIE_CONTEXT.search(text) and len(text.split()) <= 80:
        return Clutter("a cookie notice", guessed=True)
    return None


def read_list_heading(text: str) -> tuple[str, str] | None:
    """A heading of a related-stories list ("Read also:", "See also", "More on this story"):
    (heading, an item given on the same line or "")."""
    text = re.sub(r"^[\W_]+", "", text.strip())
    match = LIST_HEADING.match(text)
    if not match:
        return None
    rest = match.group("rest").strip()
    if rest and not match.group("colon"):
        return None  # "Latest figures show …" is a sentence, not a heading
    return text[: len(text) - len(match.group("rest"))].strip(), rest
