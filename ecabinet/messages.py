"""Messages for people in the user's language: the services speak English, and errors are answered in
Vietnamese when the client asks for it (`Accept-Language: vi`, which the UI sends).

The catalog pairs each English message, with `{name}` where a value goes, with its Vietnamese
text. A message is matched whole against the templates, so call sites keep their plain f-strings;
one without a template is answered in English.
"""

from __future__ import annotations

import re
from functools import cache

LANGUAGES = ("vi", "en")

# Values that appear inside messages: statuses, roles and kinds.
VOCABULARY_VI: dict[str, str] = {
    "draft": "dự thảo",
    "scheduled": "đã lên lịch",
    "live": "đang họp",
    "closed": "đã kết thúc",
    "archived": "đã lưu trữ",
    "draft or scheduled": "dự thảo hoặc đã lên lịch",
    "chair": "chủ tọa",
    "secretary": "thư ký",
    "member": "thành viên",
    "invitee": "khách mời",
    "site": "điểm cầu",
    "observer": "dự thính",
    "units": "đơn vị",
    "users": "người dùng",
    "a title": "tên cuộc họp",
    "a start date and time": "thời gian bắt đầu",
    "at least one agenda item": "ít nhất một nội dung trong chương trình",
    "a chair": "chủ tọa",
    "accepted": "tiếp nhận",
    "returned": "trả lại",
    "open": "đang mở",
    "queued": "đang chờ",
    "speaking": "đang phát biểu",
    "done": "đã kết thúc",
    "withdrawn": "đã rút",
    "minutes": "biên bản",
    "invitation": "giấy mời",
}

CATALOG_VI: dict[str, str] = {
    # sign-in and permissions
    "Sign in first.": "Vui lòng đăng nhập.",
    "Wrong login or password.": "Sai tên đăng nhập hoặc mật khẩu.",
    "Too many failed sign-ins. Wait a few minutes and try again.": "Đăng nhập sai quá nhiều lần. Vui lòng chờ vài phút rồi thử lại.",
    "Missing or wrong {header} header; reload the page and try again.": "Thiếu hoặc sai mã bảo vệ {header}; hãy tải lại trang rồi thử lại.",
    "Requests from this origin are not allowed.": "Không chấp nhận yêu cầu từ trang web này.",
    "Only an administrator may do this.": "Chỉ quản trị viên được thực hiện việc này.",
    "Only the secretariat may do this.": "Chỉ bộ phận thư ký được thực hiện việc này.",
    "Only the meeting's secretary or the secretariat may change this meeting.": "Chỉ thư ký cuộc họp hoặc bộ phận thư ký được thay đổi cuộc họp này.",
    "Only the secretariat, the meeting's secretary or (to start and end it) the chair may change the meeting's "
    "status.": "Chỉ bộ phận thư ký, thư ký cuộc họp hoặc chủ tọa (khi bắt đầu và kết thúc) được chuyển trạng thái "
    "cuộc họp.",
    "Only the meeting's secretary may change this; a member may name their own substitute.": "Chỉ thư ký cuộc họp được thay đổi; thành viên chỉ được tự cử người dự thay.",
    "Only the substitute can check in as the substitute.": "Chỉ người được ủy quyền mới điểm danh thay được.",
    "You may check in only yourself, or the member you attend for.": "Bạn chỉ được điểm danh cho chính mình hoặc cho thành viên mà bạn dự thay.",
    "You may undo only your own check-in.": "Bạn chỉ được hủy điểm danh của chính mình.",
    "Only the chair or the meeting's secretary may move the meeting to another item.": "Chỉ chủ tọa hoặc thư ký cuộc họp được chuyển sang nội dung khác.",
    "The meeting is {status}; items are taken up while it is live.": "Cuộc họp đang ở trạng thái {status}; chỉ chuyển nội dung khi cuộc họp đang diễn ra.",
    "item_id: expected the id of an agenda item.": "item_id: cần mã của một nội dung họp.",
    # not found
    "No such meeting.": "Không tìm thấy cuộc họp.",
    "No such agenda item.": "Không tìm thấy nội dung họp.",
    "No such participant.": "Không tìm thấy người tham dự.",
    "No such address.": "Không có địa chỉ này.",
    "No user with id {id}.": "Không có người dùng mã {id}.",
    # meeting status
    "The meeting is already {status}.": "Cuộc họp đã ở trạng thái {status}.",
    "A meeting cannot be moved to {status}.": "Không thể chuyển cuộc họp sang trạng thái {status}.",
    "A {current} meeting cannot become {to}; only a {allowed} meeting can.": "Cuộc họp {current} không thể chuyển sang {to}; chỉ cuộc họp {allowed} mới chuyển được.",
    "To become {to}, the meeting needs {missing}.": "Để chuyển sang {to}, cuộc họp cần có: {missing}.",
    "The meeting is {status}; it can no longer be changed.": "Cuộc họp {status}; không thể thay đổi nữa.",
    "The meeting is {status}; its agenda and participants can no longer change.": "Cuộc họp {status}; không thể thay đổi chương trình và thành phần tham dự nữa.",
    "The meeting is {status}; its participants can no longer change.": "Cuộc họp {status}; không thể thay đổi thành phần tham dự nữa.",
    "Check-in is open while the meeting is scheduled or live; it is {status}.": "Chỉ điểm danh được khi cuộc họp đã lên lịch hoặc đang họp; cuộc họp hiện {status}.",
    # agenda
    "presenter_id: no user with id {id}.": "presenter_id: không có người dùng mã {id}.",
    "presenter_unit_id: no unit with id {id}.": "presenter_unit_id: không có đơn vị mã {id}.",
    "parent_id: item {id} is not on this meeting's agenda.": "parent_id: nội dung {id} không thuộc chương trình cuộc họp này.",
    "parent_id: items nest at most {n} levels deep.": "parent_id: nội dung họp chỉ lồng nhau tối đa {n} cấp.",
    "items: An item appears more than once in the new order.": "items: một nội dung xuất hiện hơn một lần.",
    "items: The new order leaves out items {ids}; list every item of the agenda.": "items: thứ tự mới thiếu các nội dung {ids}; cần liệt kê đủ mọi nội dung.",
    "items: Items {ids} are not on this meeting's agenda.": "items: các nội dung {ids} không thuộc cuộc họp này.",
    "items: Item {id} is placed under {parent}, which does not come before it.": "items: nội dung {id} được đặt dưới nội dung {parent} nhưng nội dung đó không đứng trước.",
    "items: Items nest at most {n} levels deep.": "items: nội dung họp chỉ lồng nhau tối đa {n} cấp.",
    # participants
    "user_id: give the participant's user_id (or, for a remote site, its unit_id).": "user_id: cần chọn người tham dự (hoặc đơn vị, nếu là điểm cầu).",
    "user_id: no active user with id {id}.": "user_id: không có người dùng đang hoạt động mã {id}.",
    "unit_id: a remote site is a unit; give its unit_id.": "unit_id: điểm cầu là một đơn vị; cần chọn đơn vị.",
    "unit_id: no unit with id {id}.": "unit_id: không có đơn vị mã {id}.",
    "unit_id: {name} does not exist on the meeting's date (valid {start} to {end}).": "unit_id: {name} không tồn tại vào ngày họp (hiệu lực từ {start} đến {end}).",
    "{name} already takes part in this meeting.": "{name} đã có trong thành phần cuộc họp.",
    "attendance: check the participant in with POST /api/participants/{id}/checkin.": "attendance: hãy ghi nhận có mặt bằng chức năng điểm danh (POST /api/participants/{id}/checkin).",
    "substitute_id: a participant in the role {role} does not send a substitute.": "substitute_id: người tham dự với vai trò {role} không cử người dự thay.",
    "substitute_id: no active user with id {id}.": "substitute_id: không có người dùng đang hoạt động mã {id}.",
    "substitute_id: a participant cannot be their own substitute.": "substitute_id: không thể tự ủy quyền cho chính mình.",
    "{name} already attends this meeting in their own right or for someone else.": "{name} đã tham dự cuộc họp này với tư cách khác hoặc dự thay cho người khác.",
    "This participant has named no substitute.": "Người tham dự này chưa cử người dự thay.",
    # units and users
    "valid_to: a unit cannot end before it begins.": "valid_to: ngày hết hiệu lực phải sau ngày bắt đầu.",
    "A unit with code {code} already exists.": "Đã có đơn vị mã {code}.",
    "parent_id: no unit with id {id}.": "parent_id: không có đơn vị mã {id}.",
    "The login {login} is taken.": "Tên đăng nhập {login} đã được dùng.",
    # generic request problems
    "The request body is not valid JSON.": "Dữ liệu gửi lên không phải JSON hợp lệ.",
    "The request body is larger than {n} bytes.": "Dữ liệu gửi lên vượt quá {n} byte.",
    "{field}: may not be null.": "{field}: không được để trống.",
    "{field}: is required": "{field}: bắt buộc phải có",
    "{field}: is not a known field": "{field}: không phải trường hợp lệ",
    "{field}: is invalid": "{field}: không hợp lệ",
    "is required": "bắt buộc phải có",
    "is not a known field": "không phải trường hợp lệ",
    "is invalid": "không hợp lệ",
    "Something went wrong on the server; it has been logged.": "Máy chủ gặp lỗi; sự cố đã được ghi lại.",
    # CSV import
    "file: the file is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'.": "file: tệp không phải văn bản UTF-8; hãy lưu từ bảng tính dưới dạng 'CSV UTF-8'.",
    "file: the file is empty.": "file: tệp rỗng.",
    "file: at most {n} rows per file.": "file: mỗi tệp tối đa {n} dòng.",
    "file: not a readable CSV file ({detail}).": "file: không đọc được tệp CSV ({detail}).",
    "file: {n} problem(s) in the file; nothing was imported.": "file: tệp có {n} lỗi; chưa nhập dòng nào.",
    "file: the parents of unit {code} form a loop; nothing was imported.": "file: đơn vị cấp trên của {code} tạo thành vòng lặp; chưa nhập dòng nào.",
    "is empty": "đang để trống",
    "has {n} columns, the header has {m}": "có {n} cột, dòng tiêu đề có {m} cột",
    "'{value}' is not a date (write 2025-07-01 or 01/07/2025)": "'{value}' không phải ngày (viết 2025-07-01 hoặc 01/07/2025)",
    "'{value}' appears again (first on line {line})": "'{value}' bị trùng (đã có ở dòng {line})",
    "'{value}' is not one of {choices}": "'{value}' không thuộc: {choices}",
    "no unit with code '{code}' in the file or the database": "không có đơn vị mã '{code}' trong tệp hay trong hệ thống",
    "a unit cannot be its own parent": "đơn vị không thể là cấp trên của chính nó",
    "ends before valid_from": "kết thúc trước valid_from",
    "code or name too long (64 and 300 characters at most)": "mã hoặc tên quá dài (tối đa 64 và 300 ký tự)",
    "'{value}' may hold only letters a-z, digits and . _ - (2–64 characters)": "'{value}' chỉ được gồm chữ a-z, chữ số và . _ - (2–64 ký tự)",
    "no unit with code '{code}' (import the units first)": "không có đơn vị mã '{code}' (hãy nhập đơn vị trước)",
    "shorter than {n} characters": "ngắn hơn {n} ký tự",
    "name or title too long (200 characters at most)": "họ tên hoặc chức vụ quá dài (tối đa 200 ký tự)",
    # documents and uploads
    "No such document.": "Không tìm thấy tài liệu.",
    "Only the meeting's secretary or the secretariat may change its documents.": "Chỉ thư ký cuộc họp hoặc bộ phận thư ký được thay đổi tài liệu của cuộc họp.",
    "Only the meeting's secretary or the secretariat may upload documents.": "Chỉ thư ký cuộc họp hoặc bộ phận thư ký được tải tài liệu lên.",
    "The meeting is {status}; its documents can no longer change.": "Cuộc họp đang ở trạng thái {status}; tài liệu không thể thay đổi nữa.",
    "The document was rejected: {reason}": "Tài liệu bị từ chối: {reason}",
    "The document is still being checked; its pages appear in a moment.": "Tài liệu đang được kiểm tra; các trang sẽ hiện ra trong giây lát.",
    "The document has pages 1 to {n}.": "Tài liệu chỉ có từ trang 1 đến trang {n}.",
    "The document is still being processed; download it when it is ready.": "Tài liệu đang được xử lý; hãy tải về khi xử lý xong.",
    "The document is no longer being processed.": "Tài liệu không còn đang được xử lý.",
    "replaces: no such document on this item.": "replaces: nội dung họp này không có tài liệu đó.",
    "replaces: a new version is one file.": "replaces: mỗi phiên bản mới chỉ là một tệp.",
    "classification: use public, internal, restricted or secret.": "classification: chọn public (công khai), internal (nội bộ), restricted (hạn chế) hoặc secret (mật).",
    "Send the files as multipart/form-data in the field '{field}'.": "Hãy gửi tệp dạng multipart/form-data trong trường '{field}'.",
    "The upload is larger than {n} bytes.": "Tệp tải lên vượt quá {n} byte.",
    "No file was sent; put each PDF in a part named '{field}'.": "Chưa có tệp nào được gửi; hãy đặt mỗi tệp PDF trong trường '{field}'.",
    "The upload was cut off before it ended; send it again.": "Việc tải lên bị ngắt giữa chừng; hãy gửi lại.",
    "The upload is not well-formed multipart/form-data.": "Dữ liệu tải lên không đúng định dạng multipart/form-data.",
    "Not a PDF file: {names}. Only PDF documents are accepted.": "Không phải tệp PDF: {names}. Chỉ nhận tài liệu PDF.",
    "Pages are served as .jpg, .png or .webp.": "Trang chỉ có dạng .jpg, .png hoặc .webp.",
    "The page could not be drawn: {reason}": "Không vẽ được trang: {reason}",
    "The copy for download could not be made: {reason}": "Không tạo được bản để tải về: {reason}",
    "Only the meeting's participants may read its documents.": "Chỉ thành phần dự họp được đọc tài liệu của cuộc họp.",
    "The meeting's documents are not yet released to participants.": "Tài liệu của cuộc họp chưa được phát hành cho thành phần dự họp.",
    "Secret documents are never shown at remote sites.": "Tài liệu mật không bao giờ được hiển thị tại điểm cầu.",
    "Secret documents are shown only while the meeting is in session.": "Tài liệu mật chỉ được hiển thị trong khi cuộc họp đang diễn ra.",
    "Restricted and secret documents can only be read on screen; they cannot be downloaded.": "Tài liệu hạn chế và tài liệu mật chỉ được đọc trên màn hình, không được tải về.",
    # why a PDF is refused (the processing's reasons)
    "The PDF is protected by a password; upload an unprotected copy.": "Tệp PDF có mật khẩu; hãy tải lên bản không đặt mật khẩu.",
    "The file is damaged and cannot be read as a PDF.": "Tệp bị hỏng, không đọc được như một tệp PDF.",
    "The file is damaged and cannot be read.": "Tệp bị hỏng, không đọc được.",
    "The PDF has no readable pages.": "Tệp PDF không có trang nào đọc được.",
    "The PDF has {n} pages; at most {m} are accepted.": "Tệp PDF có {n} trang; chỉ nhận tối đa {m} trang.",
    "Page {n} is damaged and cannot be read.": "Trang {n} bị hỏng, không đọc được.",
    "Page {n} has no area.": "Trang {n} không có kích thước.",
    "Page {n} is {size} pt; at most {m} pt on a side are accepted.": "Trang {n} có kích thước {size} pt; mỗi cạnh tối đa {m} pt.",
    "The document has no page {n}.": "Tài liệu không có trang {n}.",
    "Processing took longer than {n} s and was stopped.": "Việc xử lý kéo dài quá {n} giây nên đã dừng.",
    "The file needs more memory than allowed.": "Tệp cần nhiều bộ nhớ hơn mức cho phép.",
    "The PDF reader crashed on this file.": "Trình đọc PDF gặp sự cố với tệp này.",
    "The PDF reader stopped on this file (exit {code}).": "Trình đọc PDF dừng lại khi đọc tệp này (mã {code}).",
    "The PDF worker did not start.": "Tiến trình xử lý PDF không khởi động được.",
    "The PDF worker answered with an oversized message.": "Tiến trình xử lý PDF trả về dữ liệu quá lớn.",
    "The PDF worker failed: {detail}": "Tiến trình xử lý PDF gặp lỗi: {detail}",
    "The server is stopping.": "Máy chủ đang dừng.",
    # department submissions
    "No such submission.": "Không tìm thấy hồ sơ trình.",
    "The meeting is {status}; papers can no longer be submitted.": "Cuộc họp đang ở trạng thái {status}; không thể trình hồ sơ nữa.",
    "The meeting is {status}; its papers can no longer change.": "Cuộc họp đang ở trạng thái {status}; hồ sơ không thể thay đổi nữa.",
    "A paper is accepted or returned; it cannot be made submitted again.": "Hồ sơ chỉ có thể được tiếp nhận hoặc trả lại; không thể chuyển về trạng thái đã trình.",
    "Only the meeting's secretary or the secretariat may accept or return papers.": "Chỉ thư ký cuộc họp hoặc bộ phận thư ký được tiếp nhận hoặc trả lại hồ sơ.",
    "This paper was already {status}.": "Hồ sơ này đã được {status}.",
    "The paper's file cannot be used ({reason}); return it instead.": "Tệp của hồ sơ không dùng được ({reason}); hãy trả lại hồ sơ.",
    "comment: say why the paper is returned, so the department can put it right.": "comment: hãy nêu lý do trả lại để đơn vị chỉnh sửa.",
    "kind: use proposal, draft_decision, report or other.": "kind: chọn proposal (tờ trình), draft_decision (dự thảo quyết định), report (báo cáo) hoặc other (khác).",
    # the reader: presenting and search
    "The meeting is {status}; its pack is presented while scheduled or live.": "Cuộc họp đang ở trạng thái {status}; chỉ trình chiếu tài liệu khi cuộc họp đã lên lịch hoặc đang diễn ra.",
    "Only the chair or the presenter the chair chose may present.": "Chỉ chủ tọa hoặc người được chủ tọa giao mới được trình chiếu.",
    "Only a current, ready document of the pack can be presented.": "Chỉ trình chiếu được tài liệu hiện hành đã xử lý xong.",
    "zoom: expected a number from 1 to {n}.": "zoom: cần một số từ 1 đến {n}.",
    "Only the chair or the meeting's secretary may choose who presents.": "Chỉ chủ tọa hoặc thư ký cuộc họp được chọn người trình chiếu.",
    "user_id: the presenter must be one of the meeting's participants.": "user_id: người trình chiếu phải là thành phần dự họp.",
    "following: expected true or false.": "following: cần giá trị true hoặc false.",
    "{field}: expected a positive whole number.": "{field}: cần một số nguyên dương.",
    "q: type at least {n} letters.": "q: hãy nhập ít nhất {n} chữ cái.",
    # votes
    "No such poll.": "Không tìm thấy cuộc biểu quyết.",
    "This member has already voted in this poll.": "Thành viên này đã biểu quyết trong lần biểu quyết này.",
    "The poll is not open for voting.": "Biểu quyết chưa được mở.",
    "The poll is closed.": "Biểu quyết đã kết thúc.",
    "A live vote opens while the meeting is in session.": "Chỉ mở biểu quyết tại phiên họp khi cuộc họp đang diễn ra.",
    "No item is free of objections for a consent vote.": "Không có nội dung nào không có ý kiến phản đối để biểu quyết gộp.",
    "Receipts are published when the poll closes.": "Danh sách mã phiếu được công bố khi biểu quyết kết thúc.",
    "The poll was never opened.": "Biểu quyết chưa từng được mở.",
    "The meeting is {status}; it takes no more votes.": "Cuộc họp đang ở trạng thái {status}; không biểu quyết thêm.",
    "The poll is already {status}.": "Biểu quyết đã ở trạng thái {status}.",
    "Only members with a vote give a position on the agenda.": "Chỉ thành viên có quyền biểu quyết được cho ý kiến trước về nội dung họp.",
    "Only members with a vote may vote.": "Chỉ thành viên có quyền biểu quyết mới được biểu quyết.",
    "Only the chair or the meeting's secretary may run votes.": "Chỉ chủ tọa hoặc thư ký cuộc họp được điều hành biểu quyết.",
    "Only the meeting's secretary may record a vote by hand.": "Chỉ thư ký cuộc họp được ghi phiếu thay.",
    "Under this poll's rule a substitute does not vote.": "Theo quy tắc của lần biểu quyết này, người dự thay không biểu quyết.",
    "deadline: a written poll needs a deadline.": "deadline: phiếu xin ý kiến cần có hạn trả lời.",
    "deadline: the deadline has passed; set a later one.": "deadline: hạn trả lời đã qua; hãy đặt hạn muộn hơn.",
    "item_ids: every item must be on this meeting's agenda.": "item_ids: các nội dung phải thuộc chương trình của cuộc họp này.",
    "options: each option once.": "options: mỗi phương án chỉ một lần.",
    "user_id: not a member with a vote in this meeting.": "user_id: không phải thành viên có quyền biểu quyết của cuộc họp.",
    "choice: use one of {choices}.": "choice: chọn một trong: {choices}.",
    "rule: use one of {rules}.": "rule: chọn một trong: {rules}.",
    "The meeting is {status}; positions are given while it is scheduled or live.": "Cuộc họp đang ở trạng thái {status}; chỉ cho ý kiến trước khi cuộc họp đã lên lịch hoặc đang diễn ra.",
    "item_ids: an item someone objects to, or without positions, is voted on by itself.": "item_ids: nội dung có ý kiến phản đối hoặc chưa có ý kiến phải biểu quyết riêng.",
    "Idempotency-Key: send a unique key of {n} to {m} characters with each ballot (the same key when retrying it).": "Idempotency-Key: mỗi phiếu cần một khóa riêng dài {n} đến {m} ký tự (gửi lại đúng khóa đó khi thử lại).",
    # the floor
    "The meeting is {status}; the floor is given while it is live.": "Cuộc họp đang ở trạng thái {status}; chỉ điều hành phát biểu khi cuộc họp đang diễn ra.",
    "Only the chair, or the secretary running the console, puts others in the queue.": "Chỉ chủ tọa hoặc thư ký đang điều hành được đăng ký phát biểu cho người khác.",
    "user_id: not a participant who may speak in this meeting.": "user_id: không phải người dự họp được phát biểu.",
    "Observers follow the meeting; they do not take the floor.": "Người dự thính theo dõi cuộc họp, không phát biểu.",
    "No such request to speak.": "Không tìm thấy đăng ký phát biểu.",
    "Only the one who asked, or the console holder, withdraws a request to speak.": "Chỉ người đăng ký hoặc người điều hành được rút đăng ký phát biểu.",
    "The request is {status}; only a waiting request can be withdrawn.": "Đăng ký đang ở trạng thái {status}; chỉ rút được đăng ký đang chờ.",
    "Only the chair, or the secretary running the console, gives the floor.": "Chỉ chủ tọa hoặc thư ký đang điều hành được mời phát biểu.",
    "The request is {status}; the floor goes to someone waiting for it.": "Đăng ký đang ở trạng thái {status}; chỉ mời người đang chờ phát biểu.",
    "Only the speaker, or the console holder, ends a turn.": "Chỉ người đang phát biểu hoặc người điều hành được kết thúc lượt phát biểu.",
    "The request is {status}; only the one speaking can finish.": "Đăng ký đang ở trạng thái {status}; chỉ kết thúc được lượt đang phát biểu.",
    "Only the meeting's secretary takes over the console.": "Chỉ thư ký cuộc họp được tiếp quản điều hành.",
    "Only the chair or the meeting's secretary hands the console to the chair.": "Chỉ chủ tọa hoặc thư ký cuộc họp được trả quyền điều hành cho chủ tọa.",
    "The meeting has no chair to hand the console to.": "Cuộc họp không có chủ tọa để trả quyền điều hành.",
    # conclusions and tasks
    "Only the chair or the meeting's secretary records conclusions.": "Chỉ chủ tọa hoặc thư ký cuộc họp được ghi kết luận.",
    "The meeting is {status}; conclusions are recorded while it is live (the minutes are final once it is closed).": "Cuộc họp đang ở trạng thái {status}; chỉ ghi kết luận khi cuộc họp đang diễn ra (biên bản là bản cuối cùng khi cuộc họp kết thúc).",
    "No such conclusion.": "Không tìm thấy kết luận.",
    "unit_id: no such unit.": "unit_id: không tìm thấy đơn vị.",
    "No such task.": "Không tìm thấy nhiệm vụ.",
    "Only the chair or the meeting's secretary changes a task.": "Chỉ chủ tọa hoặc thư ký cuộc họp được sửa nhiệm vụ.",
    "Only the unit the task is given to reports on it.": "Chỉ đơn vị được giao nhiệm vụ mới báo cáo tiến độ.",
    "The task was cancelled; there is nothing to report on.": "Nhiệm vụ đã bị hủy; không cần báo cáo.",
    # minutes, invitations, signatures
    "Only the chair or the meeting's secretary issues the minutes and invitations.": "Chỉ chủ tọa hoặc thư ký cuộc họp được lập biên bản và giấy mời.",
    "The meeting is {status}; minutes are made once it is live (final once it is closed).": "Cuộc họp đang ở trạng thái {status}; biên bản được lập khi cuộc họp diễn ra (bản cuối cùng khi kết thúc).",
    "The meeting is {status}; invitations are made before it ends.": "Cuộc họp đang ở trạng thái {status}; giấy mời được lập trước khi cuộc họp kết thúc.",
    "Another version is being made at this moment; try again.": "Một phiên bản khác đang được tạo; vui lòng thử lại.",
    "No such record.": "Không tìm thấy văn bản.",
    "Only the chair or the meeting's secretary signs the minutes and invitations.": "Chỉ chủ tọa hoặc thư ký cuộc họp được ký số biên bản và giấy mời.",
    "A draft is not signed; generate the minutes again once the meeting is closed.": "Không ký số bản dự thảo; hãy lập lại biên bản khi cuộc họp đã kết thúc.",
    "No signing certificate is configured (ECABINET_SIGNING_P12).": "Chưa cấu hình chứng thư số để ký (ECABINET_SIGNING_P12).",
    "The signing certificate cannot be used: {reason}": "Không dùng được chứng thư số: {reason}",
    "No {kind} have been issued for this meeting yet.": "Cuộc họp chưa có {kind}.",
    "The document could not be made: {reason}": "Không tạo được văn bản: {reason}",
    "This paper carries no digital signature; download the stamped copy instead.": "Tài liệu không có chữ ký số; hãy tải bản có đóng dấu.",
    # annotations
    "No such annotation.": "Không tìm thấy ghi chú.",
    "uuid: expected a UUID made by the tablet, e.g. 0f8fad5b-d9cb-469f-a165-70867728950e.": "uuid: cần một mã UUID do máy tính bảng tạo, ví dụ 0f8fad5b-d9cb-469f-a165-70867728950e.",
    "document_id: an annotation stays on its paper.": "document_id: ghi chú không chuyển sang tài liệu khác.",
    "The paper is still being checked; annotate it in a moment.": "Tài liệu đang được kiểm tra; vui lòng ghi chú sau giây lát.",
    "page: the paper has {n} pages.": "page: tài liệu có {n} trang.",
    "body: ink and highlights carry a short comment (2,000 characters at most).": "body: nét vẽ và đánh dấu chỉ kèm lời bình ngắn (tối đa 2.000 ký tự).",
    "No such conflict.": "Không tìm thấy xung đột.",
    # Last, so that it only catches what nothing above did (e.g. a validator's own words).
    "{field}: {detail}": "{field}: không hợp lệ ({detail})",
}


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for english, vietnamese in CATALOG_VI.items():
        parts = re.split(r"\{(\w+)\}", english)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        patterns.append((re.compile(regex + r"\Z", re.DOTALL), vietnamese))
    return patterns


def translate(message: str, language: str) -> str:
    """The message in `language`; English, or a message the catalog lacks, comes back as it is."""
    if language != "vi":
        return message
    return _translated(message, _patterns()) or message


def _translated(message: str, patterns: list[tuple[re.Pattern[str], str]]) -> str | None:
    for pattern, vietnamese in patterns:
        match = pattern.match(message)
        if match:
            return vietnamese.format(**{k: _value(v) for k, v in match.groupdict().items()})
    return None


def _value(value: str) -> str:
    if value in VOCABULARY_VI:
        return VOCABULARY_VI[value]
    if ", " in value:
        return ", ".join(VOCABULARY_VI.get(part, part) for part in value.split(", "))
    # A message inside a message (why a document was rejected) is translated by a template of its own,
    # not by the catch-all (the catalog's last entry) that would only wrap it.
    return _translated(value, _patterns()[:-1]) or value


def pick_language(accept_language: str | None, default: str) -> str:
    """The first of vi or en in an Accept-Language header, else the default."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return default
