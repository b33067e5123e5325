"""Event clusters: articles joined by their vectors, shared names and dates, one at a time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.events import Clusters, Signature, article_names, cluster, day_of, mean_vector


@dataclass(frozen=True)
class Params:
    min_similarity: float = 0.6
    name_weight: float = 0.3
    window_days: float = 14.0


def unit(*xs: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[:len(xs)] = xs
    return v / np.linalg.norm(v)


def sign(article_id: int, vector: np.ndarray, day: str | None = "2026-03-04", names: tuple[str, ...] = (),
         title: str = "") -> Signature:
    return Signature(article_id, vector, frozenset(names), day_of(day), title or f"article {article_id}", "Outlet", day)


def test_similar_articles_share_an_event_and_unlike_ones_do_not() -> None:
    c = Clusters(Params())
    dam = c.add(sign(1, unit(1, 0.1)))
    assert c.add(sign(2, unit(1, 0.2), "2026-03-06")) == dam
    strike = c.add(sign(3, unit(0, 0, 1)))
    assert strike != dam and len(c) == 2
    assert sorted(c.events[dam].members) == [1, 2]


def test_an_event_spans_as_it_grows_but_a_report_long_after_it_starts_another() -> None:
    c = Clusters(Params(window_days=5))
    first = c.add(sign(1, unit(1), "2026-03-01"))
    assert c.add(sign(2, unit(1), "2026-03-05")) == first
    assert c.add(sign(3, unit(1), "2026-03-09")) == first  # within 5 days of the 5th: the span grew
    assert c.add(sign(4, unit(1), "2026-04-30")) != first  # the same words, weeks later: another event
    assert c.events[first].first_seen == "2026-03-01" and c.events[first].last_seen == "2026-03-09"


def test_shared_names_pull_a_borderline_article_in() -> None:
    vector = unit(1, 1.2)  # cosine 0.64 to the first: below 0.7 alone
    without = Clusters(Params(min_similarity=0.7))
    a = without.add(sign(1, unit(1), names=("velmora", "tessel")))
    assert without.add(sign(2, vector, names=("orvik",))) != a
    named = Clusters(Params(min_similarity=0.7))
    a = named.add(sign(1, unit(1), names=("velmora", "tessel")))
    assert named.add(sign(2, vector, names=("velmora", "tessel"))) == a


def test_a_syndicated_copy_joins_its_original_whatever_its_vector() -> None:
    c = Clusters(Params())
    event = c.add(sign(1, unit(1)))
    assert c.add(sign(2, unit(0, 1)), copy_of=[1]) == event


def test_removing_articles_updates_and_finally_drops_their_event() -> None:
    c = Clusters(Params())
    event = c.add(sign(1, unit(1), "2026-03-01", title="Dam breach floods Velmora"))
    c.add(sign(2, unit(1, 0.1), "2026-03-03", title="Families return"))
    c.remove(1)
    assert c.event_of(1) is None and c.events[event].first_seen == "2026-03-03"
    assert c.events[event].label == "Families return"
    c.remove(2)
    assert event not in c.events and len(c) == 0
    c.remove(99)  # not held: nothing happens


def test_label_is_the_most_central_headline() -> None:
    c = Clusters(Params(min_similarity=0.3))
    c.add(sign(1, unit(1, 0.6), title="Edge one"))
    c.add(sign(2, unit(1, 0.2), title="The middle"))
    c.add(sign(3, unit(1, -0.3), title="Edge two"))
    (event,) = c.events.values()
    assert event.label == "The middle"


def test_rebuild_adds_in_publication_order_whatever_the_order_given() -> None:
    signs = [sign(3, unit(1), "2026-03-20"), sign(1, unit(1), "2026-03-01"), sign(2, unit(1), "2026-03-10")]
    c = cluster(signs, Params(window_days=12))
    assert len(c) == 1  # added by date, each report extends the span the next one joins
    assert len(cluster([signs[0], signs[1]], Params(window_days=12))) == 2


def test_names_and_days_and_vectors() -> None:
    names = article_names("Dam Breach Floods Velmora", ["Kestria ordered an inquiry into the Tessel dam.",
                                                        "The Tessel dam had leaked in Velmora, Kestria said."])
    # Compared without place endings ("Kestria", "Kestrian"); title-case headline words are no names.
    assert names == {"kestr", "tessel", "velmor"}
    assert day_of("2026-03-04T10:00:00+01:00") == day_of("2026-03-04") and day_of("soon") is None and day_of(None) is None
    v = mean_vector(np.array([[1, 0], [0, 1]], dtype=np.float32))
    assert np.isclose(np.linalg.norm(v), 1.0)
