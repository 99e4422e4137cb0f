"""Stand-ins for what these machines lack, shared by tests/ and bench/ (never shipped: the wheel
holds voice, intents and triage only). Everything after a stand-in runs for real.

    microphone.ScriptedSource    the microphone: scripted answers from WAV files (a voice.audio.AudioSource)
    sound_card.FakeSoundCard     the sound card behind the product's own player (real_player)
    speech.synth                 patients' answers as audio: espeak-ng, waiting-room noise (sox)
    korean.KoreanPatient         a Korean patient and session plans for spoken sessions
    kiosk_patients               simulated patients through the kiosk driver (the soak)
    hostile                      hostile inputs for the fault suite (JSON lines, trees, configs, audio)
    archives                     model archives, good and bad, for the download tests and faults
"""
