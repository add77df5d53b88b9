from email.mime.text import MIMEText

from frenchbot.core.mail import mail_send, mail_send_templated


def test_a_message_reaches_a_real_smtp_server_with_its_parts(smtp_server):
    invitation = MIMEText("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "calendar", "utf-8")
    invitation.set_param("method", "REQUEST")
    sent = mail_send(
        to=["marie@example.fr"],
        subject="Votre rendez-vous\r\nBcc: intrus@example.com",
        body="Bonjour Marie,",
        html="<p>Bonjour Marie,</p>",
        attachments=[("rapport.pdf", b"%PDF-1.7 demo", "application/pdf"), invitation],
        reply_to=["equipe@example.fr"],
    )
    assert sent == 1
    [message] = smtp_server
    assert message["To"] == "marie@example.fr"
    assert message["Reply-To"] == "equipe@example.fr"
    # The name a visitor typed cannot add a header: the subject stays one line.
    assert message["Subject"] == "Votre rendez-vous Bcc: intrus@example.com"
    assert message["Bcc"] is None
    types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "application/pdf", "text/calendar"} <= set(types)
    calendar = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"


def test_nobody_to_write_to_sends_nothing(smtp_server):
    assert mail_send(to=[], subject="Rien", body="Rien") == 0
    assert mail_send_templated(to=[], subject="Rien", template="unused.txt", context={}) == 0
    assert smtp_server == []
