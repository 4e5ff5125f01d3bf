/** The ticket page's words in English, built in; the other languages are JSON files in i18n/. */
export default {
 "open": "Open",
 "pending": "Waiting for your reply",
 "solved": "Solved",
 "you": "You",
 "support": "Support",
 "yourReply": "Your reply",
 "sendReply": "Send reply",
 "writeFirst": "Write your reply first.",
 "sent": "Sent. We'll answer you by email.",
 "tooMany": "You've sent several replies just now; please wait a few minutes.",
 "notSent": "Your reply could not be sent: {error}",
 "gone": "This link no longer works",
 "notFound": "We couldn't find this request",
 "failed": "This page could not load",
 "requestFrom": "Request from {date}",
 "conversation": "Conversation",
 "requestFailed": "Request failed ({status}).",
 "youreOffline": "You seem to be offline."
};
