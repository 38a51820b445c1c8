"""Open311 GeoReport v2 (placeholder until its module lands)."""

from fastapi import APIRouter

router = APIRouter(prefix="/open311/v2", tags=["open311"])
