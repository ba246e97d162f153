/* global document, window, fetch, Blob */
// The petitioner's status page: the query code and the factor are kept in memory only and sent in request bodies.
(function () {
  'use strict';
  var creds = null;
  var $ = function (id) { return document.getElementById(id); };

  function post(path, body) {
    return fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  }
  function messageOf(res) {
    return res.json().then(function (b) { return b.message || ('出错了（' + res.status + '）'); }, function () { return '出错了（' + res.status + '）'; });
  }
  function show(el, text) { el.textContent = text; el.hidden = !text; }

  function render(s) {
    $('caseNo').textContent = s.caseNo;
    $('registeredOn').textContent = s.registeredOn;
    $('stage').textContent = s.stage.label;
    $('unit').textContent = s.unit ? s.unit.name : '—';
    $('nextLimit').textContent = s.nextLimit ? s.nextLimit.label + '：' + s.nextLimit.dueDate + ' 24:00 前' + (s.nextLimit.paused ? '（暂停计算）' : '') : '—';
    var list = $('notices');
    list.textContent = '';
    s.notices.forEach(function (n) {
      var li = document.createElement('li');
      var span = document.createElement('span');
      span.textContent = n.title + '（' + n.issuedOn + '）';
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'secondary';
      btn.textContent = '打印';
      btn.addEventListener('click', function () { printNotice(n.id); });
      li.appendChild(span);
      li.appendChild(btn);
      list.appendChild(li);
    });
    $('noticesBox').hidden = s.notices.length === 0;
    $('evaluationBox').hidden = !s.evaluation.open;
    $('evaluationDue').textContent = s.evaluation.open ? '请在 ' + s.evaluation.dueDate + ' 24:00 前评价。' : '';
    $('result').hidden = false;
  }

  function refresh() {
    return post('/public/status', creds).then(function (res) {
      if (!res.ok) return messageOf(res).then(function (m) { throw new Error(m); });
      return res.json().then(render);
    });
  }

  function printNotice(id) {
    show($('printError'), '');
    var win = window.open('', '_blank');
    post('/public/notices/' + encodeURIComponent(id) + '/print', creds).then(function (res) {
      if (!res.ok) return messageOf(res).then(function (m) { throw new Error(m); });
      return res.text().then(function (html) {
        var url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
        if (win) { win.location.href = url; } else { window.location.href = url; }
      });
    }).catch(function (e) { if (win) win.close(); show($('printError'), e.message); });
  }

  $('lookup').addEventListener('submit', function (ev) {
    ev.preventDefault();
    show($('loginError'), '');
    creds = { queryCode: $('queryCode').value.trim(), factor: $('factor').value.trim() };
    refresh().catch(function (e) { creds = null; $('result').hidden = true; $('noticesBox').hidden = true; $('evaluationBox').hidden = true; show($('loginError'), e.message); });
  });

  $('evaluate').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var form = ev.target;
    var body = { queryCode: creds.queryCode, factor: creds.factor, unit: form.unit.value, bureau: form.bureau.value };
    var reason = $('reason').value.trim();
    if (reason) body.reason = reason;
    if ((body.unit === 'unsatisfied' || body.bureau === 'unsatisfied') && !reason) {
      $('evaluationMessage').textContent = '选择“不满意”时，请填写理由。';
      return;
    }
    post('/public/evaluation', body).then(function (res) {
      if (!res.ok) return messageOf(res).then(function (m) { throw new Error(m); });
      $('evaluationMessage').textContent = '评价已提交，谢谢。';
      return refresh();
    }).catch(function (e) { $('evaluationMessage').textContent = e.message; });
  });
})();
