"""The corpus folder's splits: Gutenberg shards (all but the last for training, a bounded sample of
the last for validation) and the evaluation sets' documents, once per id."""
import gzip
import json

from models import train_data
from models.train_data import BOOK_SEPARATOR, corpus_documents, gutenberg_documents


def write_shard(path, books):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(BOOK_SEPARATOR.join(books) + "\n")


def test_all_shards_but_the_last_train_and_the_last_gives_a_bounded_validation_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(train_data, "GUTENBERG_VAL_CHARS", 25)
    monkeypatch.setattr(train_data, "GUTENBERG_VAL_BOOK_CHARS", 12)
    write_shard(tmp_path / "gutenberg-00.txt.gz", ["\nfirst book\n", "second book"])
    write_shard(tmp_path / "gutenberg-01.txt.gz", ["third book"])
    write_shard(tmp_path / "gutenberg-02.txt.gz", ["short one", "a book far too long to validate on", "short two",
                                                   "short three", "past the cap"])
    docs = gutenberg_documents(tmp_path)
    assert docs["train"] == [("gutenberg/00/0", "first book"), ("gutenberg/00/1", "second book"),
                             ("gutenberg/01/0", "third book")]
    # Books over 12 characters are skipped; books are taken until 25 characters are reached.
    assert docs["val"] == [("gutenberg/02/0", "short one"), ("gutenberg/02/2", "short two"),
                           ("gutenberg/02/3", "short three")]


def test_a_corpus_without_gutenberg_or_qmsum_gives_the_first_splits(tmp_path):
    (tmp_path / "corpus" / "sotu").mkdir(parents=True)
    (tmp_path / "corpus" / "sotu" / "1990_Bush_Republican.txt").write_text("an old address")
    (tmp_path / "corpus" / "sotu" / "2005_Bush_Republican.txt").write_text("a new address")
    (tmp_path / "corpus" / "moby-dick").mkdir()
    (tmp_path / "corpus" / "moby-dick" / "moby-dick.txt").write_text("Call me Ishmael.")
    squality = tmp_path / "eval" / "squality"
    squality.mkdir(parents=True)
    story = {"id": "s1", "document": "a story", "references": []}
    (squality / "squality_train_plot.jsonl").write_text(json.dumps(story) + "\n" + json.dumps(story) + "\n")
    (squality / "squality_dev_plot.jsonl").write_text(json.dumps(dict(story, id="s2", document="another")) + "\n")
    docs = corpus_documents(tmp_path)
    assert docs == {"train": [("sotu/1990_Bush_Republican.txt", "an old address"), ("moby-dick", "Call me Ishmael."),
                              ("squality/s1", "a story")],
                    "val": [("sotu/2005_Bush_Republican.txt", "a new address"), ("squality/s2", "another")]}
    qmsum = tmp_path / "eval" / "qmsum"
    qmsum.mkdir()
    (qmsum / "qmsum_train_general.jsonl").write_text(json.dumps({"id": "m1", "document": "A: hi"}) + "\n")
    (tmp_path / "corpus" / "gutenberg").mkdir()
    write_shard(tmp_path / "corpus" / "gutenberg" / "gutenberg-00.txt.gz", ["a book"])
    docs = corpus_documents(tmp_path)
    assert [n for n, _ in docs["train"]] == ["sotu/1990_Bush_Republican.txt", "moby-dick", "squality/s1", "qmsum/m1"]
    # One shard is the last: its books validate.
    assert [n for n, _ in docs["val"]] == ["sotu/2005_Bush_Republican.txt", "gutenberg/00/0", "squality/s2"]
