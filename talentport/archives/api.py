"""API v1 of the archives: staff list/detail/transition/import, my-files for the family."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from talentport.api.errors import ApiError, ErrorList, error, not_found, too_many
from talentport.api.pagination import Page, page_of, paginated_data
from talentport.api.serializers import ErrorResponseSerializer
from talentport.api.throttling import WriteIpRateThrottle, WriteRateThrottle
from talentport.archives import selectors, services
from talentport.archives import serializers as s
from talentport.archives.errors import ArchiveError, ArchiveErrorCode, ClaimThrottled
from talentport.archives.models import ArchiveFile, GuardianLink, ImportSource
from talentport.archives.rules import PARTY_GUIDANCE, TransferInput
from talentport.common.pii import log_pii_access, log_pii_access_many

TAGS = ["archives"]
ERRORS = {
    400: ErrorResponseSerializer,
    401: ErrorResponseSerializer,
    403: ErrorResponseSerializer,
    404: ErrorResponseSerializer,
}
PURPOSE_AFTER_WRITE = "办理档案流转后接口返回档案详情"
ERRORS_409 = {**ERRORS, 409: ErrorResponseSerializer}
PAGE_HELP = (
    "按页返回：`page` 从 1 开始，`page_size` 默认 20、最多 100；格式不对返回 400 并指明字段，"
    "页码超出范围返回 404。"
)
STATUS_OF = {
    ArchiveErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ArchiveErrorCode.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ArchiveErrorCode.TRANSITION_NOT_ALLOWED: status.HTTP_409_CONFLICT,
    ArchiveErrorCode.CONFLICT: status.HTTP_409_CONFLICT,
}


def _path(name: str = "id", description: str = "档案公开编号") -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


LINK_ID = _path("link_id", "监护人授权公开编号")


def _paginated(request: Request, rows: QuerySet[Any], serializer: Any) -> Response:
    """Page ``rows`` by the validated ``page``/``page_size`` query parameters."""
    query = s.ArchivePageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return _page_response(request, rows, serializer, query.validated_data)


def _page_response(
    request: Request, rows: QuerySet[Any], serializer: Any, data: dict[str, Any]
) -> Response:
    number, size = data["page"], data["page_size"]
    # bounds first (a 404 naming ``page``), so a huge page number never reaches the database
    page: Page[Any] = page_of(count=rows.count(), items=[], number=number, size=size)
    items = list(rows[(number - 1) * size : number * size])
    return Response(paginated_data(request, page, list(serializer(items, many=True).data)))


class IsStaffRole(BasePermission):
    message = "只有工作人员可以办理档案业务"

    def has_permission(self, request: Request, view: Any) -> bool:
        return selectors.is_staff_user(request.user)


def api_error(exc: ArchiveError) -> ApiError:
    errors: ErrorList = [error(field, message, str(exc.code)) for field, message in exc.errors]
    return ApiError(errors, STATUS_OF.get(exc.code, status.HTTP_400_BAD_REQUEST))


def _staff_file(request: Request, file_id: str) -> ArchiveFile:
    file = selectors.archive_file_get_for_staff(user=request.user, uuid=file_id)
    if file is None:
        raise not_found("id", "未找到该档案")
    return file


def _detail(file: ArchiveFile, *, family: bool) -> ArchiveFile:
    file.timeline = selectors.archive_timeline(file=file, family=family)  # type: ignore[attr-defined]
    file.party_guidance = PARTY_GUIDANCE  # type: ignore[attr-defined]
    return file


class StaffView(APIView):
    permission_classes = [IsAuthenticated, IsStaffRole]


class FileListView(StaffView):
    @extend_schema(
        operation_id="archives_files_list",
        summary="档案列表（工作人员）",
        description="按姓名、学校、状态查找档案；身份证号脱敏。按身份证号查找请用 "
        "`POST /api/v1/archives/files/search/`：网址中含身份证号、手机号的请求一律答 400。"
        + PAGE_HELP,
        parameters=[s.ArchiveFileQuerySerializer],
        responses={200: s.ArchiveFilePageSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = s.ArchiveFileQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        files = selectors.archive_file_search(
            user=request.user,
            q=data.get("q", ""),
            school=data.get("school", ""),
            status=data.get("status", ""),
        ).select_related("batch")
        return _page_response(request, files, s.ArchiveFileSerializer, data)


class FileSearchView(StaffView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="archives_files_search",
        summary="按身份证号或姓名查找档案（工作人员）",
        description="查询条件放在请求体中（身份证号不得出现在网址里）：`q` 为姓名或完整身份证号"
        "（经盲索引精确匹配），另可按学校、状态筛选；`page`、`page_size` 同列表接口。"
        "按身份证号查到的每份档案都记入个人信息查看记录。身份证号脱敏显示。",
        request=s.ArchiveFileSearchSerializer,
        responses={200: s.ArchiveFileSearchPageSerializer, **ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = s.ArchiveFileSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        q = data.get("q", "")
        files = selectors.archive_file_search(
            user=request.user, q=q, school=data.get("school", ""), status=data.get("status", "")
        ).select_related("batch")
        number, size = data["page"], data["page_size"]
        page: Page[Any] = page_of(count=files.count(), items=[], number=number, size=size)
        items = list(files[(number - 1) * size : number * size])
        if selectors.is_id_card_query(q):
            log_pii_access_many(
                actor=request.user,
                subjects=items,
                field="id_card",
                purpose="接口按身份证号查找档案",
            )
        return Response(
            {
                "count": page.count,
                "page": number,
                "page_size": size,
                "results": s.ArchiveFileSerializer(items, many=True).data,
            }
        )


class FileDetailView(StaffView):
    @extend_schema(
        operation_id="archives_files_retrieve",
        summary="档案详情（工作人员）",
        description="含流转记录；每次查看都记入个人信息查看记录。",
        parameters=[_path()],
        responses={200: s.ArchiveFileDetailSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request, id: str) -> Response:
        file = _staff_file(request, id)
        log_pii_access(
            actor=request.user, subject=file, field="archive_file", purpose="接口查看人事档案详情"
        )
        return Response(s.ArchiveFileDetailSerializer(_detail(file, family=False)).data)


class FileTransitionView(StaffView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="archives_files_transition",
        summary="办理档案流转（工作人员）",
        description="入库、补充材料、申请转递（按就业情况计算去向）、机要寄出（须机要编号）、送达。"
        "不允许的流转返回 409。",
        request=s.ArchiveTransitionSerializer,
        responses={200: s.ArchiveFileDetailSerializer, 409: ErrorResponseSerializer, **ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, id: str) -> Response:
        file = _staff_file(request, id)
        body = s.ArchiveTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        transfer = None
        if data["to_state"] == "transfer_requested":
            transfer = TransferInput(
                employment_kind=data.get("employment_kind", ""),
                employer_type=data.get("employer_type", ""),
                directed=data.get("directed", False),
                employer_name=data.get("employer_name", ""),
                work_city=data.get("work_city", ""),
                work_details=data.get("work_details", ""),
                hukou_city=data.get("hukou_city", ""),
                preference=data.get("preference", ""),
            )
        try:
            file = services.archive_transition(
                file=file,
                actor=request.user,
                to_state=data["to_state"],
                note=data.get("note", ""),
                materials=data.get("materials", ""),
                courier_number=data.get("courier_number", ""),
                transfer=transfer,
            )
        except ArchiveError as exc:
            raise api_error(exc) from exc
        log_pii_access(
            actor=request.user, subject=file, field="archive_file", purpose=PURPOSE_AFTER_WRITE
        )
        return Response(s.ArchiveFileDetailSerializer(_detail(file, family=False)).data)


class ImportView(StaffView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="archives_imports_create",
        summary="导入学校档案交接名单（工作人员）",
        description="multipart 上传 .xlsx 与学校名称；逐行报告接收与退回原因（与命令行报告相同）。"
        "文件不可读或缺少必填列时整体退回（400），不导入任何记录。",
        request={"multipart/form-data": s.ArchiveImportUploadSerializer},
        responses={201: s.ArchiveImportReportSerializer, **ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = s.ArchiveImportUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            report = services.archive_batch_import(
                source=upload,
                school=body.validated_data["school"],
                actor=request.user,
                filename=upload.name,
                jurisdiction=services.archive_default_jurisdiction(user=request.user),
                via=ImportSource.API,
            )
        except ArchiveError as exc:
            raise api_error(exc) from exc
        data = {"batch": report.batch.uuid if report.batch else None, **report.as_dict()}
        return Response(s.ArchiveImportReportSerializer(data).data, status=status.HTTP_201_CREATED)


class BatchListView(StaffView):
    @extend_schema(
        operation_id="archives_batches_list",
        summary="交接批次（工作人员）",
        description="最新的在前。" + PAGE_HELP,
        parameters=[s.ArchivePageQuerySerializer],
        responses={200: s.ArchiveBatchPageSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return _paginated(
            request, selectors.archive_batch_list(user=request.user), s.ArchiveBatchSerializer
        )


class SummaryView(StaffView):
    @extend_schema(
        operation_id="archives_summary",
        summary="各学校档案状态统计（工作人员）",
        responses={200: s.ArchiveSchoolSummarySerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = [
            {"school": r.school, "total": r.total, "by_state": {st: n for st, _, n in r.by_state}}
            for r in selectors.archive_school_summary(user=request.user)
        ]
        return Response(s.ArchiveSchoolSummarySerializer(rows, many=True).data)


class OverdueView(StaffView):
    @extend_schema(
        operation_id="archives_overdue_list",
        summary="超期未送达的转递（工作人员）",
        description="申请转递超过30天仍未送达的档案，申请最早的在前。" + PAGE_HELP,
        parameters=[s.ArchivePageQuerySerializer],
        responses={200: s.ArchiveFilePageSerializer, **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        files = selectors.archive_overdue_transfers(user=request.user).select_related("batch")
        return _paginated(request, files, s.ArchiveFileSerializer)


class MyFileListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="archives_my_files_list",
        summary="我的档案（学生本人、已授权的监护人）",
        description="本人的档案在前，其后是经授权可查看的子女档案。" + PAGE_HELP,
        parameters=[s.ArchivePageQuerySerializer],
        responses={
            200: s.ArchiveFilePageSerializer,
            400: ErrorResponseSerializer,
            401: ErrorResponseSerializer,
            404: ErrorResponseSerializer,
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = s.ArchivePageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        number, size = query.validated_data["page"], query.validated_data["page_size"]
        own = list(selectors.archive_files_for_student(user=request.user).select_related("batch"))
        followed = selectors.archive_files_for_guardian(user=request.user)
        rows = [*own, *followed]
        items = rows[(number - 1) * size : number * size]
        page = page_of(count=len(rows), items=items, number=number, size=size)
        data = s.ArchiveFileSerializer(items, many=True).data
        return Response(paginated_data(request, page, list(data)))


class MyFileDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="archives_my_files_retrieve",
        summary="我的档案进度与办理记录",
        description="无关联或授权已撤销的返回 404。",
        responses={
            200: s.ArchiveMyFileSerializer,
            401: ErrorResponseSerializer,
            404: OpenApiResponse(ErrorResponseSerializer, description="未找到或无权查看"),
        },
        tags=TAGS,
    )
    def get(self, request: Request, id: str) -> Response:
        found = selectors.archive_file_for_family(user=request.user, uuid=id)
        if found is None:
            raise not_found("id", "未找到该档案")
        file, relation = found
        file.relation = relation  # type: ignore[attr-defined]
        return Response(s.ArchiveMyFileSerializer(_detail(file, family=True)).data)


# --------------------------------------------------------------------------- #
# Transfer correction (staff)
# --------------------------------------------------------------------------- #


class FileTransferCancelView(StaffView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="archives_files_transfer_cancel",
        summary="撤销转递申请（工作人员）",
        description="“已申请转递”且尚未寄出的档案，撤销申请回到申请前的状态（已入库或已补充材料），"
        "须填写原因；申请与撤销都保留在流转记录中，本人及已授权的监护人收到站内消息。"
        "其他状态返回 409。",
        parameters=[_path()],
        request=s.ArchiveTransferCancelSerializer,
        responses={200: s.ArchiveFileDetailSerializer, **ERRORS_409},
        tags=TAGS,
    )
    def post(self, request: Request, id: str) -> Response:
        file = _staff_file(request, id)
        body = s.ArchiveTransferCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            file = services.archive_transfer_cancel(
                file=file, actor=request.user, reason=body.validated_data["reason"]
            )
        except ArchiveError as exc:
            raise api_error(exc) from exc
        log_pii_access(
            actor=request.user, subject=file, field="archive_file", purpose=PURPOSE_AFTER_WRITE
        )
        return Response(s.ArchiveFileDetailSerializer(_detail(file, family=False)).data)


# --------------------------------------------------------------------------- #
# Guardian links: the student (own file) and staff, same rules as the pages
# --------------------------------------------------------------------------- #


def _link_rows(links: Any) -> list[GuardianLink]:
    rows = []
    for link in links:
        link.visible = selectors.guardian_link_visible(link=link)
        link.awaiting_consent = (
            link.status == "active"
            and link.consented_at is None
            and services.archive_is_adult(file=link.file)
        )
        rows.append(link)
    return rows


def _links_response(file: ArchiveFile) -> Response:
    links = selectors.guardian_links_of(file=file).select_related("file")
    return Response(s.GuardianLinkSerializer(_link_rows(links), many=True).data)


def _link_response(link: GuardianLink, code: int = status.HTTP_200_OK) -> Response:
    link = GuardianLink.objects.select_related("file", "guardian").get(pk=link.pk)
    return Response(s.GuardianLinkSerializer(_link_rows([link])[0]).data, status=code)


def _own_file(request: Request, file_id: str) -> ArchiveFile:
    file = selectors.archive_own_file(user=request.user, uuid=file_id)
    if file is None:  # a guardian, another student, or no such file: the same answer
        raise not_found("id", "未找到该档案")
    return file


def _link_of(file: ArchiveFile, link_id: str) -> GuardianLink:
    link = selectors.guardian_link_get(file=file, uuid=link_id)
    if link is None:
        raise not_found("link_id", "未找到该授权")
    return link


def _create_link(request: Request, file: ArchiveFile) -> Response:
    body = s.GuardianLinkCreateSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    guardian = selectors.guardian_account_get(username=body.validated_data["username"])
    if guardian is None:
        raise ApiError([error("username", "未找到该账户，请监护人先注册“监护人（家长）”账户")])
    try:
        link = services.guardian_link_create(file=file, guardian=guardian, actor=request.user)
    except ArchiveError as exc:
        if exc.field == "guardian":
            exc.errors = [("username", message) for _, message in exc.errors]
        raise api_error(exc) from exc
    return _link_response(link, status.HTTP_201_CREATED)


class ClaimView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]
    throttle_classes = [WriteRateThrottle, WriteIpRateThrottle]
    throttle_scope = "archive_claim"

    @extend_schema(
        operation_id="archives_claim",
        summary="认领本人档案（学生，两步）",
        description="第一步只填姓名和身份证号：无论档案是否存在、是否已被认领、姓名是否相符，都返回同一"
        "202 应答；相符且学校登记了手机号的，向该号码发送6位验证码（10分钟内有效）。第二步再加上"
        "`code`：短信验证码，或学校交接清单上的认领码；成功则绑定到当前账户（已绑定本人的返回同一"
        "档案），任何不成功（无此档案、姓名不符、验证码错误或过期、已被其他账户认领）都返回同一个 400"
        "（`code`）。身份证号格式不对返回 400（`id_card`）。按账户、IP 和身份证号限制频率："
        "同一身份证号1小时内错误5次即锁定1小时，超出返回 429 及 Retry-After。",
        request=s.ArchiveClaimSerializer,
        responses={
            200: s.ArchiveMyFileSerializer,
            202: s.ArchiveClaimSentSerializer,
            400: ErrorResponseSerializer,
            401: ErrorResponseSerializer,
            403: ErrorResponseSerializer,
            429: ErrorResponseSerializer,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = s.ArchiveClaimSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            if not (data.get("code") or "").strip():
                services.archive_claim_code_send(
                    user=request.user, id_card=data["id_card"], name=data["name"]
                )
                return Response(
                    {"status": "code_sent", "message": services.claim_sent_message()},
                    status=status.HTTP_202_ACCEPTED,
                )
            file = services.archive_claim(
                user=request.user, id_card=data["id_card"], name=data["name"], code=data["code"]
            )
        except ClaimThrottled as exc:
            raise too_many(exc.message, exc.wait) from exc
        except ArchiveError as exc:
            raise api_error(exc) from exc
        file.relation = "student"  # type: ignore[attr-defined]
        return Response(s.ArchiveMyFileSerializer(_detail(file, family=True)).data)


class MyGuardianListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="archives_my_guardians_list",
        summary="本人档案的监护人查看授权（学生）",
        description="只有档案本人可以查看；监护人或其他账户返回 404。",
        parameters=[_path()],
        responses={200: s.GuardianLinkSerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request, id: str) -> Response:
        return _links_response(_own_file(request, id))

    @extend_schema(
        operation_id="archives_my_guardians_create",
        summary="允许监护人查看本人档案（学生）",
        description="本人添加即视为同意。对方须为“监护人（家长）”账户（否则 400，`username`）；"
        "已可查看的返回 409。",
        parameters=[_path()],
        request=s.GuardianLinkCreateSerializer,
        responses={201: s.GuardianLinkSerializer, **ERRORS_409},
        tags=TAGS,
    )
    def post(self, request: Request, id: str) -> Response:
        return _create_link(request, _own_file(request, id))


class MyGuardianConsentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="archives_my_guardians_consent",
        summary="同意监护人查看（成年学生）",
        description="工作人员为已成年本人添加的监护人，须本人同意后才能查看。已撤销的返回 409。",
        parameters=[_path(), LINK_ID],
        request=None,
        responses={200: s.GuardianLinkSerializer, **ERRORS_409},
        tags=TAGS,
    )
    def post(self, request: Request, id: str, link_id: str) -> Response:
        file = _own_file(request, id)
        try:
            link = services.guardian_link_consent(link=_link_of(file, link_id), actor=request.user)
        except ArchiveError as exc:
            raise api_error(exc) from exc
        return _link_response(link)


class MyGuardianRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="archives_my_guardians_revoke",
        summary="撤销监护人查看（成年学生）",
        description="年满18周岁的本人可以撤销；未成年的返回 403，须由档案工作人员办理。"
        "已撤销的再次撤销返回原授权。",
        parameters=[_path(), LINK_ID],
        request=None,
        responses={200: s.GuardianLinkSerializer, **ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, id: str, link_id: str) -> Response:
        file = _own_file(request, id)
        try:
            link = services.guardian_link_revoke(link=_link_of(file, link_id), actor=request.user)
        except ArchiveError as exc:
            raise api_error(exc) from exc
        return _link_response(link)


class StaffGuardianListView(StaffView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="archives_files_guardians_list",
        summary="档案的监护人查看授权（工作人员）",
        description="含已撤销的授权；每次查看记入个人信息查看记录。",
        parameters=[_path()],
        responses={200: s.GuardianLinkSerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request, id: str) -> Response:
        file = _staff_file(request, id)
        log_pii_access(
            actor=request.user,
            subject=file,
            field="guardian_links",
            purpose="接口查看档案监护人授权",
        )
        return _links_response(file)

    @extend_schema(
        operation_id="archives_files_guardians_create",
        summary="添加监护人查看（工作人员）",
        description="未成年的立即生效；本人已成年的，须本人同意后监护人才能查看。",
        parameters=[_path()],
        request=s.GuardianLinkCreateSerializer,
        responses={201: s.GuardianLinkSerializer, **ERRORS_409},
        tags=TAGS,
    )
    def post(self, request: Request, id: str) -> Response:
        file = _staff_file(request, id)
        log_pii_access(
            actor=request.user, subject=file, field="guardian_links", purpose="接口添加档案监护人"
        )
        return _create_link(request, file)


class StaffGuardianRevokeView(StaffView):
    @extend_schema(
        operation_id="archives_files_guardians_revoke",
        summary="撤销监护人查看（工作人员）",
        description="工作人员可撤销任何授权（含未成年人的）。",
        parameters=[_path(), LINK_ID],
        request=None,
        responses={200: s.GuardianLinkSerializer, **ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, id: str, link_id: str) -> Response:
        file = _staff_file(request, id)
        log_pii_access(
            actor=request.user, subject=file, field="guardian_links", purpose="接口撤销档案监护人"
        )
        try:
            link = services.guardian_link_revoke(link=_link_of(file, link_id), actor=request.user)
        except ArchiveError as exc:
            raise api_error(exc) from exc
        return _link_response(link)
