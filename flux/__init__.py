"""The floor both sides stand on: Flux facts and clients shared by wallet/ and nodectl/.

Pure: no Qt, no ui/app/wallet/nodectl imports, and aiohttp only once a session is made. The facts
and their public sources are written down in docs/.
"""
