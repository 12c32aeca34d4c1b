"""What `opscenter demo` loads, in order. Each step is the dotted path of a function
`(*, seed: int, stdout) -> None` that is idempotent: run twice, it creates nothing new.
"""

STEPS = [
    "opscenter.demo.org.build_org",
    "opscenter.pipeline.demo.generate",
    "opscenter.targets.demo.generate",
    "opscenter.members.demo.generate",
    "opscenter.commitments.demo.generate",
    "opscenter.clinic.demo.generate",
    "opscenter.pipeline.demo.handover.generate",
    "opscenter.pipeline.demo.queues.generate",
    "opscenter.callcenter.demo.generate",
    "opscenter.care.demo.generate",
    "opscenter.marketing.demo.generate",
    "opscenter.appraisal.demo.generate",
    "opscenter.workday.demo.generate",
]
