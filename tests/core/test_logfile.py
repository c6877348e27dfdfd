import os
import stat

from crm.config import load_config
from crm.logfile import setup_logger


def test_log_file_is_private_rotates_and_redacts(tmp_path):
    config = load_config(tmp_path / "none.toml", {"CRM__LOG__PATH": str(tmp_path / "logs" / "crm.log"),
                                                  "CRM__LOG__MAX_BYTES": "2000", "CRM__LOG__BACKUPS": "2"})
    logger, redactor = setup_logger(config, {})
    redactor.add_secret("s3cr3t-client-secret")
    for i in range(100):
        logger.info("POST /oauth/token client_secret=s3cr3t-client-secret Authorization: Bearer abc.def.%d", i)
    logger.info("plain secret in text: s3cr3t-client-secret")
    files = sorted((tmp_path / "logs").iterdir())
    assert len(files) == 3  # crm.log, crm.log.1, crm.log.2
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        text = path.read_text()
        assert "s3cr3t" not in text and "abc.def" not in text
    assert "********" in (tmp_path / "logs" / "crm.log").read_text()
