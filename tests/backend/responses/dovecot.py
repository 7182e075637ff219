"""A real IMAP server for the mailbox tests: Debian's dovecot, run as the current user
with its whole state in a temporary folder, on a free port, plaintext on localhost."""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from backend.devstack.components import free_port

USER, PASSWORD = "replies", "replies-password"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _unprivileged() -> tuple[str, str]:
    """Who dovecot's processes run as: the current user, or as root the package's own."""
    if os.getuid() != 0:
        return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    try:
        pwd.getpwnam("dovecot")
    except KeyError as exc:
        raise RuntimeError("as root, dovecot needs its 'dovecot' user (dovecot-core)") from exc
    return "dovecot", "dovecot"


class DovecotServer:
    """`dovecot -F -c <conf>` in the foreground; `deliver` APPENDs a message over IMAP."""

    def __init__(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not os.path.exists(binary):
            raise RuntimeError(
                "dovecot is not installed: the mailbox tests need a real IMAP server; "
                "install Debian's dovecot-imapd (apt-get install dovecot-imapd, or .ci/system-deps)"
            )
        # its own folder under /tmp: as root, dovecot's processes run as its own user,
        # who cannot pass through pytest's private folders
        root = Path(tempfile.mkdtemp(prefix="debtx-dovecot-"))
        self.root, self.port = root, free_port()
        for sub in ("run", "state", "mail", "home"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        user, group = _unprivileged()
        uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
        if os.getuid() == 0:  # dovecot's login and mail processes refuse to run as root
            for path in (root, *root.rglob("*")):
                os.chown(path, uid, gid)
        config = root / "dovecot.conf"
        config.write_text(
            CONFIG.format(root=root, port=self.port, uid=uid, gid=gid, user=user, group=group)
        )
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"dovecot exited at start: {output}{self._log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self._log()}")

    def _log(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text()[-2000:] if log.exists() else ""

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.connect()
        try:
            conn.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
        finally:
            conn.logout()

    def create_folder(self, folder: str) -> None:
        conn = self.connect()
        try:
            conn.create(folder)  # answers NO when it exists already: fine
        finally:
            conn.logout()

    def count(self, folder: str) -> int:
        conn = self.connect()
        try:
            _, data = conn.select(folder)
            return int(data[0] or 0)
        finally:
            conn.logout()

    def seen_count(self, folder: str = "INBOX") -> int:
        conn = self.connect()
        try:
            conn.select(folder)
            _, data = conn.uid("SEARCH", "SEEN")
            return len((data[0] or b"").split())
        finally:
            conn.logout()

    def empty(self) -> None:
        conn = self.connect()
        try:
            conn.select("INBOX")
            conn.store("1:*", "+FLAGS", "(\\Deleted)")
            conn.expunge()
        except imaplib.IMAP4.error:
            pass  # an empty folder has no 1:*
        finally:
            conn.logout()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)
