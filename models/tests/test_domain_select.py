"""Text of SQuALITY's kind chosen from the corpus by cross-entropy difference (models.domain_select)."""
from models.domain_select import WordModel, score, select, words

SPACE = ("The ship dropped out of hyperspace above the red planet. Captain Harlan checked the blasters "
         "while the Martian outpost signalled from the dunes; the robot pilot computed an orbit. ")
PARLOUR = ("Mrs. Bennet poured the tea in the drawing room and spoke of the ball at Netherfield, "
           "of the officers, of muslin and of the carriage that would call on Tuesday. ")
LEDGER = ("The committee resolved that the accounts of the parish for the year be audited, "
          "and that the rates on property be collected by the overseers before Michaelmas. ")


def corpus():
    return {"train": [("squality/s1", SPACE * 40), ("squality/s2", SPACE * 30), ("squality/s3", SPACE * 35),
                      ("gutenberg/00/0", PARLOUR * 50), ("gutenberg/00/1", SPACE * 20 + PARLOUR * 5),
                      ("gutenberg/00/2", LEDGER * 50), ("sotu/1800_x.txt", LEDGER * 30)],
            "val": [("squality/d1", SPACE * 10)]}


def test_the_book_that_reads_like_the_stories_ranks_first():
    docs = corpus()
    domain = WordModel([SPACE * 40], vocabulary=200)
    general = WordModel([PARLOUR * 50, LEDGER * 50, SPACE * 20], vocabulary=200)
    assert score(SPACE * 3, domain, general) < score(PARLOUR * 3, domain, general)
    assert words("Hyper-space, 42!") == ["hyper", "-", "space", ",", "42", "!"]
    packed, selection = select(docs, select_chars=1, held_out=1, general_sample=10, repeat_stories=2,
                               keep_sources=("sotu",))
    assert [s["name"] for s in selection] == ["gutenberg/00/1"]          # only the first, by characters asked
    names = [n for n, _ in packed["train"]]
    assert names[0] == "gutenberg/00/1" and "gutenberg/00/0" not in names and "gutenberg/00/2" not in names
    held = [n for n, _ in packed["val"] if n.startswith("squality-held/")]
    assert len(held) == 1 and held[0].split("/")[1] not in {n.split("/")[1].split("#")[0] for n in names
                                                            if n.startswith("squality/")}
    assert sum(n.startswith("squality/") for n in names) == 2 * 2            # two stories left, twice each
    assert "sotu/1800_x.txt" in names and ("squality/d1", SPACE * 10) in packed["val"]


def test_selection_ranks_every_book_in_score_order():
    _, selection = select(corpus(), select_chars=10 ** 9, held_out=0, general_sample=10)
    assert [s["name"] for s in selection][0] == "gutenberg/00/1"
    assert sorted(s["score"] for s in selection) == [s["score"] for s in selection]
    assert {s["name"] for s in selection} == {"gutenberg/00/0", "gutenberg/00/1", "gutenberg/00/2"}
