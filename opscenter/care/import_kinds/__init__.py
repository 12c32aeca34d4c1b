"""The care app's import kinds (registered with the imports engine on import of this package):

- `care_beds` 房间床位: rooms and beds (`beds.py`)
- `care_residents` 入住长者: residents with their stays in beds (`residents.py`)
- `care_risks` 风险评估: risk assessments with their scores and levels (`risks.py`)
- `care_incidents` 护理事件: incidents, each opening its work order (`incidents.py`)

Every kind validates the whole file first (a dry run names each bad row and column in Chinese),
commits in one transaction, re-imports idempotently by its natural key and undoes its own rows.
"""

from opscenter.care.import_kinds import beds, incidents, residents, risks  # noqa: F401
