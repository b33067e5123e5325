"""bench/ingest.py's configured-encoder child: it encodes through the embedder the config selects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = "@@RESULT@@ "


def test_encoder_child_times_the_configured_embedder(tmp_path: Path) -> None:
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps([f"passage {i} about the dam" for i in range(40)]), encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text("embedding:\n  model: hash-64\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "ingest.py"), "--child", "encoder",
                          "--texts", str(texts), "--config", str(config)],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    result = json.loads([line for line in out.splitlines() if line.startswith(MARK)][-1][len(MARK):])
    assert result["passages"] == 40 and result["path"] == "HashEmbedder" and result["seconds"] >= 0
