"""Custom actions of the clinic assistant, served by the rasa-sdk action server.

Actions orchestrate only: storage is in `smp.repository`, clinic facts in
`smp.clinic`, input checks in `smp.validation`.
"""
