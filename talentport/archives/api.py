"""API v1 of the archives: staff list/detail/transition/import, my-files for the family."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from talentport.api.errors import ApiError, ErrorList, error, not_found
from talentport.api.serializers import ErrorResponseSerializer
from talentport.archives import selectors, services
from talentport.archives import serializers as s
from talentport.archives.errors import ArchiveError, ArchiveErrorCode
from talentport.archives.models import ArchiveFile, ImportSource
from talentport.archives.rules import PARTY_GUIDANCE, TransferInput
from talentport.common.pii import log_pii_access

TAGS = ["archives"]
ERRORS = {
    400: ErrorResponseSerializer,
    401: ErrorResponseSerializer,
    403: ErrorResponseSerializer,
    404: ErrorResponseSerializer,
}
STATUS_OF = {
    ArchiveErrorCode.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ArchiveErrorCode.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ArchiveErrorCode.TRANSITION_NOT_ALLOWED: status.HTTP_409_CONFLICT,
    ArchiveErrorCode.CONFLICT: status.HTTP_409_CONFLICT,
}


class IsStaffRole(BasePermission):
    message = "只有工作人员可以办理档案业务"

    def has_permission(self, request: Request, view: Any) -> bool:
        return selectors.is_staff_user(request.user)


def api_error(exc: ArchiveError) -> ApiError:
    errors: ErrorList = [error(field, message, str(exc.code)) for field, message in exc.errors]
    return ApiError(errors, STATUS_OF.get(exc.code, status.HTTP_400_BAD_REQUEST))


def _staff_file(request: Request, file_id: str) -> ArchiveFile:
    file = selectors.archive_file_get(uuid=file_id)
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
        description="按姓名、完整身份证号（经盲索引精确匹配）、学校、状态查找档案；身份证号脱敏。",
        parameters=[s.ArchiveFileQuerySerializer],
        responses={200: s.ArchiveFileSerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = s.ArchiveFileQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        files = selectors.archive_file_search(
            q=data.get("q", ""), school=data.get("school", ""), status=data.get("status", "")
        ).select_related("batch")[: data["limit"]]
        return Response(s.ArchiveFileSerializer(files, many=True).data)


class FileDetailView(StaffView):
    @extend_schema(
        operation_id="archives_files_retrieve",
        summary="档案详情（工作人员）",
        description="含流转记录；每次查看都记入个人信息查看记录。",
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
        responses={200: s.ArchiveBatchSerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return Response(
            s.ArchiveBatchSerializer(selectors.archive_batch_list()[:200], many=True).data
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
            for r in selectors.archive_school_summary()
        ]
        return Response(s.ArchiveSchoolSummarySerializer(rows, many=True).data)


class OverdueView(StaffView):
    @extend_schema(
        operation_id="archives_overdue_list",
        summary="超期未送达的转递（工作人员）",
        description="申请转递超过30天仍未送达的档案。",
        responses={200: s.ArchiveFileSerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        files = selectors.archive_overdue_transfers().select_related("batch")[:500]
        return Response(s.ArchiveFileSerializer(files, many=True).data)


class MyFileListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="archives_my_files_list",
        summary="我的档案（学生本人、已授权的监护人）",
        responses={200: s.ArchiveFileSerializer(many=True), 401: ErrorResponseSerializer},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        own = list(selectors.archive_files_for_student(user=request.user).select_related("batch"))
        followed = selectors.archive_files_for_guardian(user=request.user)
        return Response(s.ArchiveFileSerializer([*own, *followed], many=True).data)


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
