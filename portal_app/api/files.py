"""`GET /files/{name}`: the product images merchants upload, served by the portal itself."""

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from portal_app.services.images import FILES_ROUTE, UPLOADS_FOLDER, stored_image
from portal_app.settings import get_settings

# Names are random and never reused, so a file can be cached for good; the CSP keeps a
# crafted file from ever running as a page, nosniff keeps browsers to the declared type.
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=31536000, immutable",
}


async def serve_file(request: Request) -> Response:
    """One stored image with the content type its checked format gave it; 404 for anything else."""
    found = stored_image(
        name=request.path_params["name"],
        uploads_dir=get_settings().data_dir / UPLOADS_FOLDER,
    )
    if found is None:
        return PlainTextResponse(
            "Not found", status_code=404, headers={"X-Content-Type-Options": "nosniff"}
        )
    path, content_type = found
    return FileResponse(path, media_type=content_type, headers=FILE_HEADERS)


def file_routes() -> list[Route]:
    """The routes serving uploaded files."""
    return [Route(f"{FILES_ROUTE}/{{name}}", serve_file, methods=["GET", "HEAD"])]
