[postern-smtp]
title="SMTP (Postern)"
desc="Postern mail server: incoming mail from other servers. Forward router port 25 to this port."
port_forward="yes"
dst.ports="2525/tcp"

[postern-submission]
title="SMTP submission (Postern)"
desc="Postern mail server: mail clients sending with STARTTLS. Forward router port 587 to this port."
port_forward="yes"
dst.ports="2587/tcp"

[postern-submissions]
title="SMTP submission over TLS (Postern)"
desc="Postern mail server: mail clients sending over implicit TLS. Forward router port 465 to this port."
port_forward="yes"
dst.ports="2465/tcp"

[postern-imap]
title="IMAP (Postern)"
desc="Postern mail server: mail clients reading mail with STARTTLS. Forward router port 143 to this port."
port_forward="yes"
dst.ports="2143/tcp"

[postern-imaps]
title="IMAP over TLS (Postern)"
desc="Postern mail server: mail clients reading mail over implicit TLS. Forward router port 993 to this port."
port_forward="yes"
dst.ports="2993/tcp"

[postern-admin]
title="Postern administration"
desc="Postern mail server: web administration (HTTPS)."
port_forward="yes"
dst.ports="2443/tcp"
