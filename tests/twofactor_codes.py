"""Computing authenticator codes in tests as a phone would, without waiting 30 seconds.

django-otp accepts a code for the current step +/- its tolerance (1), shifted by the drift it
learnt at the last use, and never for a step at or before the last one used. On a slow machine
the enrolment's code can be checked a step late, so the device learns a drift of -1; "the next
step after now" would then be out of reach. The step after the device's last accepted one is
always within reach, whatever the drift.
"""

import time

from django_otp.oath import totp

from accounts.two_factor import secret_to_key


def code_after_last_use(secret: str, device) -> str:
    step = device.last_t + 1
    # totp() counts steps from t0: this t0 puts "now" in the middle of the wanted step.
    t0 = int(time.time()) - step * device.step - device.step // 2
    return f"{totp(secret_to_key(secret), step=device.step, t0=t0):06d}"
