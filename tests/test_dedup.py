"""Exact duplicates, story signatures and near-duplicate story clustering."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from tasks.dedup import (
    DEFAULT_THRESHOLD,
    SHINGLE_SIZE,
    SIGNATURE_SIZE,
    StoryClusterer,
    content_hash,
    similarity,
    story_signature,
)

WIRE_STORY = """\
The Bank of Japan kept its ultra-low interest rates unchanged on Tuesday but said it would \
buy fewer long-term government bonds from next month, a first step towards unwinding a decade \
of massive monetary stimulus.

Governor Kazuo Ueda told a news conference that the central bank would publish a detailed plan \
for reducing its bond purchases at its next policy meeting in July, after hearing the views of \
market participants.

"We want to reduce our purchases in a predictable manner while keeping flexibility," Ueda said, \
adding that the pace of the reduction would be sizeable.

The yen weakened to 157.8 against the dollar after the decision, as traders had expected the \
bank to announce the size of the cut immediately.

The central bank ended eight years of negative interest rates in March, raising its short-term \
policy rate to a range of zero to 0.1 percent.

Economists expect another rate increase later this year if wages and consumption keep rising.
"""

# Three outlets carrying the wire story with the usual small differences.
REPUBLISHED = {
    "outlet-a": "TOKYO (AP) — "
    + WIRE_STORY
    + (
        "\nCopyright 2024 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed without permission."
    ),
    "outlet-b": (
        "Bank of Japan to trim bond buying, keeps rates on hold\n"
        + WIRE_STORY.replace("told a news conference", "told reporters").replace(
            "Economists expect another rate increase later this year if wages and "
            "consumption keep rising.\n",
            "",
        )
        + "Read more: Yen slides to a 34-year low | Tokyo stocks close higher"
    ),
    "outlet-c": (
        "Subscribe to our daily business newsletter.\n"
        + WIRE_STORY.replace("\n\n", " ").replace("sizeable", "substantial")
        + "Japan's economy shrank an annualised 1.8 percent in the first quarter."
    ),
}

# Two different reports on the same central bank decision: shared names, figures and quote.
RATE_DECISION = """\
The European Central Bank left its key interest rates unchanged on Thursday, holding the deposit \
rate at a record 4 percent for a fifth consecutive meeting as inflation in the euro zone keeps \
easing. Policymakers said rates would stay at sufficiently restrictive levels for as long as \
necessary. "We are not yet at the point where we can declare victory over inflation," ECB \
President Christine Lagarde said at a news conference in Frankfurt. The bank also confirmed \
that it would stop reinvesting proceeds from its pandemic bond purchase programme at the end \
of the year. New staff projections see inflation averaging 2.3 percent this year and reaching \
the 2 percent target in 2025, while growth is expected to stay weak at 0.6 percent.
"""
MARKET_REACTION = """\
Euro zone bond yields fell and the euro slipped on Thursday after the European Central Bank \
left its key interest rates unchanged but signalled that the inflation fight was nearly won. \
Holding the deposit rate at a record 4 percent for a fifth meeting, policymakers said rates \
would stay restrictive for as long as necessary, yet Christine Lagarde told a news conference \
in Frankfurt that inflation keeps easing faster than the bank expected. "We are not yet at the \
point where we can declare victory over inflation," the ECB President said. Traders read the \
new staff projections, which see inflation reaching the 2 percent target in 2025 and growth \
stuck at 0.6 percent this year, as a signal that the first rate cut could come in April. \
German two-year yields, the most sensitive to rate expectations, dropped 8 basis points, and \
bank shares in Frankfurt and Paris led losses on the stock market.
"""


def assign_all(clusterer: StoryClusterer, texts: dict[str, str]) -> dict[str, str]:
    return {key: clusterer.assign(key, story_signature(text)) for key, text in texts.items()}


def test_exact_duplicates_share_content_hash_and_story() -> None:
    copy = "  " + WIRE_STORY.upper().replace("\n\n", "\n \n   ") + "\n"
    assert content_hash(copy) == content_hash(WIRE_STORY)
    assert content_hash(WIRE_STORY + " Extra.") != content_hash(WIRE_STORY)
    clusterer = StoryClusterer()
    assert assign_all(clusterer, {"first": WIRE_STORY, "copy": copy}) == {
        "first": "first",
        "copy": "first",
    }


def test_case_punctuation_and_spacing_do_not_change_the_signature() -> None:
    rewritten = WIRE_STORY.lower().replace(",", "").replace('"', "'").replace(" ", "  ")
    assert story_signature(rewritten) == story_signature(WIRE_STORY)


def test_wire_story_republished_by_three_sources_is_one_cluster() -> None:
    clusterer = StoryClusterer()
    stories = assign_all(clusterer, REPUBLISHED)
    assert set(stories.values()) == {"outlet-a"}


def test_different_stories_on_the_same_decision_stay_apart() -> None:
    # Premise: the reports share so much vocabulary that comparing word sets would merge them.
    words_a, words_b = story_signature(RATE_DECISION, 1), story_signature(MARKET_REACTION, 1)
    assert similarity(words_a, words_b) > DEFAULT_THRESHOLD
    clusterer = StoryClusterer()
    stories = assign_all(clusterer, {"decision": RATE_DECISION, "markets": MARKET_REACTION})
    assert stories == {"decision": "decision", "markets": "markets"}
    assert (
        similarity(story_signature(RATE_DECISION), story_signature(MARKET_REACTION))
        < DEFAULT_THRESHOLD
    )


def test_mixed_stream_groups_each_story_once() -> None:
    texts = {"decision": RATE_DECISION, **REPUBLISHED, "markets": MARKET_REACTION}
    stories = assign_all(StoryClusterer(), texts)
    assert stories == {
        "decision": "decision",
        "outlet-a": "outlet-a",
        "outlet-b": "outlet-a",
        "outlet-c": "outlet-a",
        "markets": "markets",
    }


def test_short_text_has_no_signature_and_is_its_own_story() -> None:
    teaser = "Bank of Japan keeps rates on hold, trims bond buying. More soon."
    assert story_signature(teaser) is None
    clusterer = StoryClusterer()
    assert clusterer.assign("teaser-1", None) == "teaser-1"
    assert clusterer.assign("teaser-2", story_signature(teaser)) == "teaser-2"
    assert len(clusterer) == 0


def test_stored_articles_keep_their_story_id() -> None:
    clusterer = StoryClusterer.from_stored(
        [("article-old", "story-42", story_signature(REPUBLISHED["outlet-a"]))]
    )
    assert clusterer.assign("article-new", story_signature(REPUBLISHED["outlet-b"])) == "story-42"
    assert clusterer.assign("article-other", story_signature(RATE_DECISION)) == "article-other"
    # Seeing an article again does not move it to another story.
    assert clusterer.assign("article-new", story_signature(RATE_DECISION)) == "story-42"


def test_equally_close_stories_go_to_the_first_indexed() -> None:
    signature = story_signature(WIRE_STORY)
    clusterer = StoryClusterer.from_stored(
        [("copy-1", "story-1", signature), ("copy-2", "story-2", signature)]
    )
    assert clusterer.assign("copy-3", signature) == "story-1"


def test_stored_articles_indexed_in_bulk_are_found_beside_the_ones_assigned_after() -> None:
    wire = story_signature(WIRE_STORY)
    stored = [
        ("copy-1", "story-1", wire),
        ("copy-2", "story-2", wire),
        ("decision-old", "story-42", story_signature(RATE_DECISION)),
        ("broken", "story-x", wire[:-1]),
        ("copy-1", "story-9", wire),
    ]
    bulk = StoryClusterer.from_stored(stored)
    assert len(bulk) == 3  # the unusable signature and the repeated article are skipped
    new = {"copy-3": WIRE_STORY, "decision-new": RATE_DECISION, "markets": MARKET_REACTION}
    assert assign_all(bulk, new) == {
        "copy-3": "story-1",  # of equally close stored articles, the first loaded
        "decision-new": "story-42",
        "markets": "markets",
    }
    # Articles assigned after the bulk load are found too, and stored ones keep their story.
    assert bulk.assign("markets-again", story_signature(MARKET_REACTION)) == "markets"
    assert bulk.assign("copy-2", story_signature(MARKET_REACTION)) == "story-2"


def test_clustering_is_deterministic_across_instances() -> None:
    texts = {"markets": MARKET_REACTION, **REPUBLISHED, "decision": RATE_DECISION}
    assert assign_all(StoryClusterer(), texts) == assign_all(StoryClusterer(), texts)


def test_signature_is_identical_in_another_process() -> None:
    signature = story_signature(WIRE_STORY)
    assert signature is not None and len(signature) == SIGNATURE_SIZE
    code = "import sys; from tasks.dedup import story_signature; print(story_signature(sys.stdin.read()).hex())"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=WIRE_STORY,
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    assert bytes.fromhex(result.stdout.strip()) == signature


def test_unusable_signatures_never_merge(caplog: pytest.LogCaptureFixture) -> None:
    signature = story_signature(WIRE_STORY)
    with pytest.raises(ValueError, match="story signature"):
        similarity(signature, b"not a signature")
    other_size = story_signature(WIRE_STORY, shingle_size=SHINGLE_SIZE + 1)
    with pytest.raises(ValueError, match="shingles"):
        similarity(signature, other_size)
    clusterer = StoryClusterer()
    clusterer.assign("first", signature)
    with caplog.at_level(logging.WARNING, logger="tasks.dedup"):
        assert clusterer.assign("broken", signature[:-1]) == "broken"
        assert clusterer.assign("old-format", other_size) == "old-format"
    assert "broken" in caplog.text and "old-format" in caplog.text


def test_chinese_text_is_signed_per_character() -> None:
    text = (
        "日本央行周二维持超低利率不变，但表示将从下月起减少购买长期政府债券，"
        "这是逐步退出长达十年的大规模货币刺激政策的第一步。行长植田和男在记者会上表示，"
        "央行将在七月的下一次政策会议上公布详细的减债计划。"
    )
    edited = "东京电 " + text.replace("周二", "星期二")
    clusterer = StoryClusterer()
    assert assign_all(clusterer, {"zh-1": text, "zh-2": edited}) == {"zh-1": "zh-1", "zh-2": "zh-1"}
