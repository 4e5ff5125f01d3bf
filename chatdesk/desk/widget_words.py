"""The widget's own words that the server fills in: the default title, greeting, offline message and
pre-chat labels (while an admin has not written their own), and the launcher's labels on the host page,
in each language of `desk/languages.py`. The frame's other words are `static/widget/` catalogues."""

from __future__ import annotations

from typing import Any

WIDGET_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Chat with us",
        "greeting": "Hi! How can we help you today?",
        "offline_message": "We're away right now. Leave a message and we'll get back to you by email.",
        "field.name": "Name",
        "field.email": "Email",
        "launcher.open": "Open {title}",
        "launcher.close": "Close {title}",
        "launcher.unread": "Open {title} ({count} unread)",
        "launcher.dismiss": "Dismiss",
    },
    "de": {
        "title": "Schreiben Sie uns",
        "greeting": "Hallo! Wie können wir Ihnen heute helfen?",
        "offline_message": "Gerade ist niemand da. Hinterlassen Sie uns eine Nachricht, "
                           "wir antworten Ihnen per E-Mail.",
        "field.name": "Name",
        "field.email": "E-Mail",
        "launcher.open": "{title} öffnen",
        "launcher.close": "{title} schließen",
        "launcher.unread": "{title} öffnen (ungelesen: {count})",
        "launcher.dismiss": "Ausblenden",
    },
    "fr": {
        "title": "Discutons",
        "greeting": "Bonjour\u00a0! Comment pouvons-nous vous aider aujourd'hui\u00a0?",
        "offline_message": "Nous sommes absents pour le moment. Laissez-nous un message, "
                           "nous vous répondrons par e-mail.",
        "field.name": "Nom",
        "field.email": "E-mail",
        "launcher.open": "Ouvrir {title}",
        "launcher.close": "Fermer {title}",
        "launcher.unread": "Ouvrir {title} (non lus\u00a0: {count})",
        "launcher.dismiss": "Masquer",
    },
    "es": {
        "title": "Hable con nosotros",
        "greeting": "¡Hola! ¿En qué podemos ayudarle hoy?",
        "offline_message": "Ahora mismo no estamos disponibles. Déjenos un mensaje y le responderemos "
                           "por correo electrónico.",
        "field.name": "Nombre",
        "field.email": "Correo electrónico",
        "launcher.open": "Abrir {title}",
        "launcher.close": "Cerrar {title}",
        "launcher.unread": "Abrir {title} (sin leer: {count})",
        "launcher.dismiss": "Descartar",
    },
    "pt": {
        "title": "Fale conosco",
        "greeting": "Olá! Como podemos ajudar você hoje?",
        "offline_message": "No momento não estamos disponíveis. Deixe uma mensagem e responderemos "
                           "por e-mail.",
        "field.name": "Nome",
        "field.email": "E-mail",
        "launcher.open": "Abrir {title}",
        "launcher.close": "Fechar {title}",
        "launcher.unread": "Abrir {title} (não lidas: {count})",
        "launcher.dismiss": "Dispensar",
    },
    "ar": {
        "title": "تحدث معنا",
        "greeting": "مرحبًا! كيف يمكننا مساعدتك اليوم؟",
        "offline_message": "لسنا متاحين الآن. اترك لنا رسالة وسنرد عليك عبر البريد الإلكتروني.",
        "field.name": "الاسم",
        "field.email": "البريد الإلكتروني",
        "launcher.open": "فتح {title}",
        "launcher.close": "إغلاق {title}",
        "launcher.unread": "فتح {title} (غير المقروءة: {count})",
        "launcher.dismiss": "إخفاء",
    },
}


def in_language(settings: dict[str, Any], language: str) -> dict[str, Any]:
    """The widget's texts for a visitor in `language`: what the admin left at the English default is
    said in that language; their own words stay as written. Adds the launcher's labels."""
    english, words = WIDGET_WORDS["en"], WIDGET_WORDS[language]
    texts = {key: words[key] if settings[key] == english[key] else settings[key]
             for key in ("title", "greeting", "offline_message")}
    fields = [{**spec, "label": words[f"field.{spec['name']}"]}
              if spec["name"] in ("name", "email") and spec["label"] == english[f"field.{spec['name']}"] else spec
              for spec in settings["pre_chat_fields"]]
    title = texts["title"]
    launcher = {name: words[f"launcher.{name}"].replace("{title}", title)
                for name in ("open", "close", "unread", "dismiss")}
    return {**texts, "pre_chat_fields": fields, "launcher": launcher}
