"""Visitors' "Was this helpful?" votes, stored per answer version."""

from __future__ import annotations

from smp import repository
from smp.db import AnswerFeedback, session_scope
from smp.repository import FeedbackVote


def _answer(session, intent="faq_pain"):
    return repository.find_answer(session, intent)


def test_a_vote_is_stored_with_its_answer_version_and_conversation(database_url):
    with session_scope(database_url) as session:
        answer = _answer(session)
        assert repository.record_feedback(
            session,
            FeedbackVote(
                "conv-1",
                answer.id,
                answer.version,
                helpful=False,
                comment=" Too vague ",
                question="does it hurt?",
                channel="socketio",
            ),
        )
    with session_scope(database_url) as session:
        [row] = session.query(AnswerFeedback).all()
        assert (row.answer_id, row.answer_version, row.conversation_id) == (
            answer.id,
            answer.version,
            "conv-1",
        )
        assert (row.helpful, row.comment, row.question) == (
            False,
            "Too vague",
            "does it hurt?",
        )


def test_voting_again_changes_the_vote_and_keeps_the_comment(database_url):
    with session_scope(database_url) as session:
        answer = _answer(session)
        vote = FeedbackVote("conv-1", answer.id, answer.version, helpful=False)
        repository.record_feedback(session, vote)
        repository.record_feedback(
            session,
            FeedbackVote(
                "conv-1", answer.id, answer.version, helpful=False, comment="Why?"
            ),
        )
        repository.record_feedback(
            session, FeedbackVote("conv-1", answer.id, answer.version, helpful=True)
        )
    with session_scope(database_url) as session:
        [row] = session.query(AnswerFeedback).all()
        assert (row.helpful, row.comment) == (True, "Why?")


def test_a_vote_on_an_unknown_answer_or_version_is_not_stored(database_url):
    with session_scope(database_url) as session:
        answer = _answer(session)
        for answer_id, version in ((999_999, 1), (answer.id, answer.version + 1)):
            vote = FeedbackVote("conv-1", answer_id, version, helpful=True)
            assert not repository.record_feedback(session, vote)
    with session_scope(database_url) as session:
        assert session.query(AnswerFeedback).count() == 0


def test_helpfulness_is_counted_per_answer_and_per_version(database_url):
    with session_scope(database_url) as session:
        answer = _answer(session)
        first = answer.version
        for conversation, helpful in (("a", True), ("b", False), ("c", False)):
            vote = FeedbackVote(
                conversation, answer.id, first, helpful, comment=f"from {conversation}"
            )
            repository.record_feedback(session, vote)
        edited = repository.update_answer(
            session, answer.id, editor="staff", text="Clearer."
        )
        repository.record_feedback(
            session, FeedbackVote("d", answer.id, edited.version, helpful=True)
        )
    with session_scope(database_url) as session:
        rows = repository.helpfulness(session)
    assert [(r.version, r.helpful, r.unhelpful) for r in rows] == [
        (edited.version, 1, 0),
        (first, 1, 2),
    ]
    assert rows[1].intent == "faq_pain" and rows[1].current_version == edited.version
    assert round(rows[1].helpful_share, 2) == 0.33
    assert set(rows[1].comments) == {"from a", "from b", "from c"}


def test_unhelpful_answers_give_their_questions_for_review(database_url):
    with session_scope(database_url) as session:
        pain, cost = _answer(session), _answer(session, "faq_cost")
        votes = [
            FeedbackVote("a", pain.id, pain.version, False, question="hurts?"),
            FeedbackVote("b", cost.id, cost.version, True, question="price?"),
            FeedbackVote("c", cost.id, cost.version, False, question="price?!"),
            FeedbackVote("d", cost.id, cost.version, False, question=""),
        ]
        for vote in votes:
            repository.record_feedback(session, vote)
    with session_scope(database_url) as session:
        found = repository.unhelpful_questions(session)
    assert [(q.conversation_id, q.question, q.intent) for q in found] == [
        ("a", "hurts?", "faq_pain"),
        ("c", "price?!", "faq_cost"),
    ]
