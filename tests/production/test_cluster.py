"""Two Rasa servers sharing PostgreSQL and Redis behave like one server."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.conftest import Reply
from tests.production.conftest import Cluster


def facts_message(age: int, platelets: int) -> str:
    return (
        f"how do I treat b12 deficiency anaemia? {age}F, pernicious anaemia, platelets {platelets}"
    )


def assert_turns_not_interleaved(cluster: Cluster, sender: str) -> None:
    """Every user message is followed by its own actions, ending with action_listen."""
    events = cluster.events(sender)
    turns: list[list[tuple[str, dict]]] = []
    for kind, event in events:
        if kind == "user":
            turns.append([])
        elif turns:
            turns[-1].append((kind, event))
    for turn in turns:
        actions = [e.get("name") for kind, e in turn if kind == "action"]
        assert actions and actions[-1] == "action_listen", actions
        assert actions.count("action_listen") == 1, actions


def test_facts_given_on_one_server_are_used_on_the_other(up: Cluster) -> None:
    a, b = up.bots
    sender = up.sender()
    first = a.say(sender, facts_message(62, 120), "clinician")
    assert first.status == 200
    assert first.payload("b12.missing_facts")["missing"] == ["neurological_involvement"]
    second = b.say(sender, "no")
    assert second.status == 200
    facts = second.payload("b12.regimen")["facts_used"]
    assert facts["age"] == 62 and facts["platelet_count"] == 120.0
    assert facts["neurological_involvement"] == "no"
    why = a.say(sender, "why?")
    assert why.payload("b12.why")["facts_used"]["age"] == 62
    corrected = b.say(sender, "actually she does have numbness in her feet")
    plan = corrected.payload("b12.regimen")
    assert plan["plan"]["neurological_involvement"] == "yes"
    assert plan["facts_used"]["age"] == 62 and plan["facts_used"]["platelet_count"] == 120.0
    assert up.user_texts(sender) == [
        facts_message(62, 120),
        "no",
        "why?",
        "actually she does have numbness in her feet",
    ]
    assert_turns_not_interleaved(up, sender)


def test_concurrent_conversations_over_both_servers(up: Cluster) -> None:
    """60 conversations at once, each turn on alternating servers: no lost or crossed reply."""
    people = {up.sender("conc"): (20 + i, 100 + 3 * i) for i in range(60)}

    def converse(sender: str) -> list[tuple[str, Reply]]:
        age, platelets = people[sender]
        start = random.randrange(2)
        script = [(facts_message(age, platelets), "clinician"), ("no", None), ("why?", None)]
        return [
            (text, up.bots[(start + i) % 2].say(sender, text, audience))
            for i, (text, audience) in enumerate(script)
        ]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = dict(zip(people, pool.map(converse, people), strict=True))
    for sender, turns in results.items():
        age, platelets = people[sender]
        statuses = [reply.status for _, reply in turns]
        assert statuses == [200, 200, 200], (sender, statuses)
        for _, reply in turns:
            assert reply.messages, sender
            assert all(m.get("recipient_id") == sender for m in reply.messages)
        plan = turns[1][1].payload("b12.regimen")["facts_used"]
        why = turns[2][1].payload("b12.why")["facts_used"]
        for facts in (plan, why):
            assert (facts["age"], facts["platelet_count"]) == (age, float(platelets)), sender
        assert up.user_texts(sender) == [text for text, _ in turns]
        assert_turns_not_interleaved(up, sender)


def test_one_conversation_on_both_servers_at_once_runs_one_turn_at_a_time(up: Cluster) -> None:
    """Simultaneous messages of one sender on both servers: serialised by the Redis lock."""
    sender = up.sender("same")
    assert up.bots[0].say(sender, facts_message(70, 90), "clinician").status == 200
    assert up.bots[1].say(sender, "no").status == 200
    messages = [f"why? ({i})" for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(
            pool.map(lambda item: up.bots[item[0] % 2].say(sender, item[1]), enumerate(messages))
        )
    assert [r.status for r in replies] == [200] * len(messages)
    for reply in replies:
        assert reply.payload("b12.why")["facts_used"]["age"] == 70
    stored = up.user_texts(sender)
    assert stored[:2] == [facts_message(70, 90), "no"]
    assert sorted(stored[2:]) == sorted(messages)  # each exactly once, in some order
    assert_turns_not_interleaved(up, sender)
