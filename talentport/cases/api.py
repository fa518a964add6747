"""Cases API v1: parse input → cases service or selector → serializer.

Every object is addressed by its UUID; an object the caller may not see is the same
404 as one that does not exist.  Refusals of the services (``CaseError``) answer
``{"errors": [{"field", "code", "message"}]}`` with 400/403/404/409.
"""

from __future__ import annotations

import uuid as uuid_mod
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from talentport.api.errors import ApiError
from talentport.cases import selectors, services
from talentport.cases import serializers as s
from talentport.cases.errors import CaseError, CaseErrorCode
from talentport.cases.models import (
    Application,
    Bundle,
    SubCase,
    SubCaseStatus,
)
from talentport.cases.validation import idempotency_key_clean
from talentport.common import files
from talentport.common.pii import log_pii_access_many
from talentport.people import permissions
from talentport.people.models import User

TAGS = ["cases"]
ERR = {400: s.ErrorsSerializer, 403: s.ErrorsSerializer, 404: s.ErrorsSerializer}
ERR409 = {**ERR, 409: s.ErrorsSerializer}
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="同一键重复提交只生成一件申请",
)


def _uuid(raw: Any) -> uuid_mod.UUID:
    try:
        return uuid_mod.UUID(str(raw))
    except ValueError:
        raise CaseError(CaseErrorCode.NOT_FOUND, "未找到该资源") from None


def _missing(what: str = "未找到该资源") -> CaseError:
    return CaseError(CaseErrorCode.NOT_FOUND, what)


class CaseAPIView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, CaseError):
            problems = getattr(exc, "problems", None) or [exc.as_dict()]
            exc = ApiError([{k: str(v) for k, v in p.items()} for p in problems], exc.status)
        return super().handle_exception(exc)

    @property
    def me(self) -> User:
        user = self.request.user
        assert isinstance(user, User)  # noqa: S101 - IsAuthenticated ran
        return user

    def application(self, raw: Any) -> Application:
        found = selectors.application_get_for(user=self.me, uuid=_uuid(raw))
        if found is None:
            raise _missing("未找到该申请")
        return found

    def acting_application(self, raw: Any) -> Application:
        application = self.application(raw)
        if not selectors.can_act_for_person(user=self.me, application=application):
            raise _missing("未找到该申请")
        return application

    def subcase(self, raw: Any) -> SubCase:
        found = selectors.subcase_get_for(user=self.me, uuid=_uuid(raw))
        if found is None:
            raise _missing("未找到该部门子件")
        return found


def _form_read(user: User, applications: Any, purpose: str) -> None:
    """The answer carries ``form_data`` (ID number, phone): log every application of
    someone else (the person reading their own needs no record)."""
    others = [a for a in applications if a.applicant_id != user.pk]
    if others:
        log_pii_access_many(actor=user, subjects=others, field="form_data", purpose=purpose)


def _bundle(raw: Any) -> Bundle:
    bundle = selectors.bundle_get(uuid=_uuid(raw))
    if bundle is None or not bundle.active:
        raise _missing("未找到该一件事")
    return bundle


# --- bundles --------------------------------------------------------------------------


class BundleListView(CaseAPIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, summary="一件事列表", responses={200: s.BundleSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(s.BundleSerializer(selectors.bundle_list(), many=True).data)


class BundleDetailView(CaseAPIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        summary="一件事详情（事项、部门、材料、时限）",
        responses={200: s.BundleDetailSerializer, **ERR},
    )
    def get(self, request: Request, id: str) -> Response:
        return Response(s.BundleDetailSerializer(_bundle(id)).data)


class BundleChecklistView(CaseAPIView):
    permission_classes = [AllowAny]  # public; a signed-in person's answers are prefilled

    @extend_schema(
        tags=TAGS,
        summary="一次告知：适用事项、合并表单字段（预填）与合并材料清单",
        parameters=[s.StageQuerySerializer],
        responses={200: s.ChecklistSerializer, **ERR},
    )
    def get(self, request: Request, id: str) -> Response:
        bundle = _bundle(id)
        query = s.StageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = request.user if isinstance(request.user, User) else None
        data = selectors.bundle_checklist(
            bundle=bundle, stage=query.validated_data["stage"], person=user
        )
        return Response(s.ChecklistSerializer(data).data)


# --- applications ---------------------------------------------------------------------


class ApplicationListView(CaseAPIView):
    @extend_schema(
        tags=TAGS, summary="我能看到的申请", responses={200: s.ApplicationSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        qs = list(selectors.application_visible_to(user=self.me).prefetch_related("subcases")[:200])
        _form_read(self.me, qs, "接口查看申请列表")
        return Response(s.ApplicationSerializer(qs, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="新建申请（草稿），submit=true 时直接提交",
        parameters=[IDEMPOTENCY],
        request=s.ApplicationCreateSerializer,
        responses={200: s.ApplicationSerializer, 201: s.ApplicationSerializer, **ERR409},
    )
    def post(self, request: Request) -> Response:
        body = s.ApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        bundle = _bundle(data["bundle"])
        applicant = self.me
        if data.get("applicant"):
            applicant = User.objects.filter(username=data["applicant"]).first() or applicant
            if applicant.username != data["applicant"]:
                raise CaseError(
                    CaseErrorCode.PERSON_UNKNOWN, "没有这个申请人账户", field="applicant"
                )
        header = request.headers.get("Idempotency-Key")
        if header is not None:
            key = idempotency_key_clean(header, field="Idempotency-Key")
        else:
            key = idempotency_key_clean(data.get("idempotency_key"))
        application, created = services.application_create(
            bundle=bundle,
            stage=data["stage"],
            applicant=applicant,
            actor=self.me,
            selected_items=data.get("items"),
            form_data=data.get("form_data"),
            idempotency_key=key,
        )
        if data["submit"]:
            application = services.application_submit(application=application, actor=self.me)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        _form_read(self.me, [application], "接口代为申请")
        return Response(s.ApplicationSerializer(application).data, status=code)


class ApplicationDetailView(CaseAPIView):
    @extend_schema(tags=TAGS, summary="申请详情", responses={200: s.ApplicationSerializer, **ERR})
    def get(self, request: Request, id: str) -> Response:
        application = self.application(id)
        _form_read(self.me, [application], "接口查看申请详情")
        return Response(s.ApplicationSerializer(application).data)

    @extend_schema(
        tags=TAGS,
        summary="保存草稿（带上版本号：已被他人保存时 409）",
        request=s.ApplicationUpdateSerializer,
        responses={200: s.ApplicationSerializer, **ERR409},
    )
    def patch(self, request: Request, id: str) -> Response:
        application = self.acting_application(id)
        body = s.ApplicationUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.application_update(
            application=application,
            actor=self.me,
            selected_items=body.validated_data.get("items"),
            form_data=body.validated_data.get("form_data"),
            expected_version=body.validated_data.get("version"),
        )
        _form_read(self.me, [application], "接口代为保存草稿")
        return Response(s.ApplicationSerializer(application).data)


class ApplicationSubmitView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="提交申请（重复提交返回同一申请）",
        request=None,
        responses={200: s.ApplicationSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        application = services.application_submit(
            application=self.acting_application(id), actor=self.me
        )
        _form_read(self.me, [application], "接口代为提交申请")
        return Response(s.ApplicationSerializer(application).data)


class ApplicationMaterialView(CaseAPIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        tags=TAGS,
        summary="上传或复用一项材料（同一材料只需上传一次）",
        request={"multipart/form-data": s.MaterialUploadSerializer},
        responses={201: s.MaterialFileSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        application = self.acting_application(id)
        body = s.MaterialUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        code = body.validated_data["code"]
        needed = {m["code"] for m in services.application_materials_needed(application=application)}
        if code not in needed:
            raise CaseError(CaseErrorCode.MATERIAL_UNKNOWN, "本申请不需要这项材料", field="code")
        if body.validated_data.get("library_file"):
            material = selectors.material_visible_to(
                user=self.me, uuid=body.validated_data["library_file"]
            )
            if material is None or material.owner_id != application.applicant_id:
                raise _missing("未找到该材料")
        elif body.validated_data.get("file"):
            upload = body.validated_data["file"]
            if upload.size > int(settings.MAX_UPLOAD_BYTES):
                raise CaseError(CaseErrorCode.FILE_TOO_LARGE, "文件超过大小上限", field="file")
            material = services.material_upload(
                owner=application.applicant,
                actor=self.me,
                code=code,
                filename=upload.name,
                content=upload.read(),
            )
        else:
            raise CaseError(CaseErrorCode.FILE_EMPTY, "请选择文件", field="file")
        services.application_attach_material(
            application=application, actor=self.me, code=code, material=material
        )
        return Response(s.MaterialFileSerializer(material).data, status=status.HTTP_201_CREATED)


class ApplicationTimelineView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="办理进度：各部门环节、到期日、承办人及电话",
        responses={200: s.TimelineStepSerializer(many=True), **ERR},
    )
    def get(self, request: Request, id: str) -> Response:
        steps = selectors.application_timeline(application=self.application(id))
        return Response(s.TimelineStepSerializer(steps, many=True).data)


class ApplicationRatingView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="好差评（整件或部门）",
        request=s.RatingInSerializer,
        responses={201: s.RatingOutSerializer, **ERR409},
    )
    def post(self, request: Request, id: str) -> Response:
        application = self.acting_application(id)
        body = s.RatingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        subcase = None
        if data.get("subcase"):
            subcase = application.subcases.filter(uuid=data["subcase"]).first()
            if subcase is None:
                raise _missing("未找到该部门子件")
        rating = services.rating_submit(
            application=application,
            actor=self.me,
            level=data["level"],
            indicators=data.get("indicators"),
            comment=data["comment"],
            subcase=subcase,
        )
        return Response(s.RatingOutSerializer(rating).data, status=status.HTTP_201_CREATED)


class ApplicationGuardianView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="授权监护人关注本申请",
        request=s.UsernameSerializer,
        responses={201: s.OkSerializer, **ERR},
    )
    def post(self, request: Request, id: str) -> Response:
        application = self.application(id)
        if not selectors.can_act_for_person(user=self.me, application=application):
            raise _missing("未找到该申请")
        body = s.UsernameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        auth = services.guardian_authorise(
            actor=self.me,
            application=application,
            guardian_username=body.validated_data["username"],
        )
        return Response({"id": str(auth.uuid)}, status=status.HTTP_201_CREATED)


# --- sub-cases ------------------------------------------------------------------------


class SubCaseQueueView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="部门待办队列（部门专员只看本部门）",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, required=False, enum=list(SubCaseStatus.values)
            )
        ],
        responses={200: s.SubCaseSerializer(many=True), **ERR},
    )
    def get(self, request: Request) -> Response:
        if not permissions.is_staff(self.me):
            raise CaseError(CaseErrorCode.FORBIDDEN, "仅限服务专员")
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in SubCaseStatus.values:
            raise CaseError(
                CaseErrorCode.FIELD_INVALID,
                "状态取值应为：" + "、".join(SubCaseStatus.values),
                field="status",
            )
        qs = selectors.subcase_queue(user=self.me, status=wanted)
        return Response(s.SubCaseSerializer(qs[:500], many=True).data)


class SubCaseDetailView(CaseAPIView):
    @extend_schema(tags=TAGS, summary="部门子件详情", responses={200: s.SubCaseSerializer, **ERR})
    def get(self, request: Request, id: str) -> Response:
        return Response(s.SubCaseSerializer(self.subcase(id)).data)


class SubCaseActionView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="部门办理：受理、要求补正、审核通过、不予办理、办结（乐观锁：带上版本号）",
        request=s.SubCaseActionSerializer,
        responses={200: s.SubCaseSerializer, **ERR409},
    )
    def post(self, request: Request, id: str) -> Response:
        subcase = self.subcase(id)
        if not selectors.may_handle_subcase(user=self.me, subcase=subcase):
            raise CaseError(CaseErrorCode.FORBIDDEN, "只有责任部门的服务专员可以办理该子件")
        body = s.SubCaseActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        d = body.validated_data
        common = {"subcase": subcase, "actor": self.me, "expected_version": d["version"]}
        action = d["action"]
        if action == "accept":
            subcase = services.subcase_accept(**common)
        elif action == "request_correction":
            subcase = services.subcase_request_correction(
                **common, entries=d["entries"], message=d["reason"]
            )
        elif action == "approve":
            subcase = services.subcase_approve(**common, reason=d["reason"])
        elif action == "reject":
            subcase = services.subcase_reject(**common, reason=d["reason"])
        else:
            subcase = services.subcase_complete(
                **common, result_number=d["result_number"], result_note=d["result_note"]
            )
        return Response(s.SubCaseSerializer(subcase).data)


class SubCaseCorrectionAnswerView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="提交补正（办理时限恢复计算）",
        request=s.CorrectionAnswerSerializer,
        responses={200: s.SubCaseSerializer, **ERR409},
    )
    def post(self, request: Request, id: str) -> Response:
        subcase = self.subcase(id)
        if not selectors.can_act_for_person(user=self.me, application=subcase.application):
            raise _missing("未找到该部门子件")
        body = s.CorrectionAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subcase = services.subcase_answer_correction(
            subcase=subcase, actor=self.me, answer=body.validated_data["answer"]
        )
        return Response(s.SubCaseSerializer(subcase).data)


# --- material library, degree, consent ------------------------------------------------


class MaterialLibraryView(CaseAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAGS, summary="我的材料库", responses={200: s.MaterialFileSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        return Response(
            s.MaterialFileSerializer(selectors.material_library(owner=self.me), many=True).data
        )

    @extend_schema(
        tags=TAGS,
        summary="上传到材料库（按文件内容识别 PDF/JPG/PNG/OFD）",
        request={"multipart/form-data": s.LibraryUploadSerializer},
        responses={201: s.MaterialFileSerializer, **ERR},
    )
    def post(self, request: Request) -> Response:
        body = s.LibraryUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        material = services.material_upload(
            owner=self.me,
            actor=self.me,
            code=body.validated_data["code"],
            name=body.validated_data.get("name", ""),
            filename=upload.name,
            content=upload.read(),
        )
        return Response(s.MaterialFileSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialDownloadView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="下载材料（本人、授权监护人、办理部门专员）",
        description="总是作为附件下载，Content-Type 为上传时按文件内容识别的类型"
        "（application/pdf、image/jpeg、image/png、application/ofd），与文件名无关；"
        "存储的文件已被改动或不再是允许的类型时答 409，不提供下载。",
        responses={
            **{(200, mime): OpenApiTypes.BINARY for mime in files.MIME_TYPES.values()},
            **ERR409,
        },
    )
    def get(self, request: Request, id: str) -> HttpResponse:
        material = selectors.material_visible_to(user=self.me, uuid=_uuid(id))
        if material is None:
            raise _missing("未找到该材料")
        content = services.material_content(material=material)
        return files.stored_file_response(content, filename=material.filename, kind=material.kind)


class DegreeView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="学历汇：确认学历学位（一次确认、全市通用）",
        request=s.DegreeSerializer,
        responses={201: s.OkSerializer, **ERR},
    )
    def post(self, request: Request) -> Response:
        body = s.DegreeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: str(v) for k, v in body.validated_data.items()}
        record = services.degree_confirm(owner=self.me, actor=self.me, data=data)
        return Response({"id": str(record.uuid)}, status=status.HTTP_201_CREATED)


class ConsentView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="同意用人单位代为申请（如聊城保健证）",
        request=s.UsernameSerializer,
        responses={201: s.OkSerializer, **ERR},
    )
    def post(self, request: Request) -> Response:
        body = s.UsernameSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consent = services.employee_consent_grant(
            employee=self.me, employer_username=body.validated_data["username"]
        )
        return Response({"id": str(consent.uuid)}, status=status.HTTP_201_CREATED)


# --- supervision ----------------------------------------------------------------------


class SupervisionView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="督办看板：超期与即将到期子件、回访率与整改答复率",
        responses={200: s.DashboardSerializer, **ERR},
    )
    def get(self, request: Request) -> Response:
        if not selectors.is_supervisor(user=self.me):
            raise CaseError(CaseErrorCode.FORBIDDEN, "仅限部门督办负责人")
        data = selectors.supervisor_dashboard(user=self.me)
        return Response(s.DashboardSerializer(data).data)


class RectificationReplyView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="差评整改答复",
        request=s.ReplySerializer,
        responses={200: s.OkSerializer, **ERR409},
    )
    def post(self, request: Request, id: str) -> Response:
        task = selectors.rectification_visible(user=self.me, uuid=_uuid(id))
        if task is None:  # unknown, or a task of a department this user does not supervise
            raise _missing("未找到该整改任务")
        body = s.ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.rectification_reply(task=task, actor=self.me, reply=body.validated_data["reply"])
        return Response({"id": str(task.uuid)})


class ReturnVisitView(CaseAPIView):
    @extend_schema(
        tags=TAGS,
        summary="记录回访（是否联系上、回访后满意度）",
        request=s.ReturnVisitInSerializer,
        responses={200: s.OkSerializer, **ERR409},
    )
    def post(self, request: Request, id: str) -> Response:
        visit = selectors.return_visit_visible(user=self.me, uuid=_uuid(id))
        if visit is None:  # unknown, or a visit of a department this user does not supervise
            raise _missing("未找到该回访")
        body = s.ReturnVisitInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.return_visit_record(
            visit=visit,
            actor=self.me,
            note=body.validated_data["reply"],
            reached=body.validated_data["reached"],
            satisfaction=body.validated_data["satisfaction"],
        )
        return Response({"id": str(visit.uuid)})
