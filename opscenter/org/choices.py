from django.db import models


class SiteKind(models.TextChoices):
    ELDER_CARE = "elder_care", "养老社区"
    HOSPITAL = "hospital", "医院"
    HEALTH_CHECK = "health_check", "体检中心"
    AESTHETICS = "aesthetics", "医疗美容"
    CALL_CENTER = "call_center", "客服中心"
    OTHER = "other", "其他"


class DepartmentKind(models.TextChoices):
    MANAGEMENT = "management", "管理层"
    OPERATIONS = "operations", "运营管理部"
    MARKETING = "marketing", "市场部"
    CUSTOMER = "customer", "客户管理部"
    NURSING = "nursing", "护理部"
    MEDICAL = "medical", "医务/临床"
    CALL_CENTER = "call_center", "客服中心"
    FINANCE = "finance", "财务部"
    HR = "hr", "人力资源部"
    LOGISTICS = "logistics", "后勤/行政"
    OTHER = "other", "其他"
