from opscenter.callcenter.models.agents import AgentState, AgentStateSlot
from opscenter.callcenter.models.calls import Call, Disposition, Queue
from opscenter.callcenter.models.qa import QaItem, QaItemScore, QaSample, QaSampleCall, QaScore, QaScorecard
from opscenter.callcenter.models.service import KnowledgeArticle, KnowledgeToken, Survey, TestCall

__all__ = [
    "AgentState",
    "AgentStateSlot",
    "Call",
    "Disposition",
    "KnowledgeArticle",
    "KnowledgeToken",
    "QaItem",
    "QaItemScore",
    "QaSample",
    "QaSampleCall",
    "QaScore",
    "QaScorecard",
    "Queue",
    "Survey",
    "TestCall",
]
