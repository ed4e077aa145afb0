// Progressive enhancement only: every task works without JavaScript.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// Agenda: drag rows to reorder (the Up/Down buttons do the same without JavaScript).
(function () {
  var body = document.querySelector("tbody[data-agenda-order]");
  if (!body) {
    return;
  }
  var form = document.getElementById(body.dataset.agendaOrder);
  var dragged = null;
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  Array.prototype.forEach.call(body.rows, function (row) { row.draggable = true; });

  body.addEventListener("dragstart", function (event) {
    dragged = event.target.closest("tr");
    if (!dragged) {
      return;
    }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.id);
    dragged.classList.add("opacity-50");
  });
  body.addEventListener("dragover", function (event) {
    var row = event.target.closest("tr");
    if (!dragged || !row || row === dragged) {
      return;
    }
    event.preventDefault();
    var box = row.getBoundingClientRect();
    body.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? row.nextSibling : row);
  });
  body.addEventListener("drop", function (event) {
    if (dragged) {
      event.preventDefault();
    }
  });
  body.addEventListener("dragend", function () {
    if (!dragged) {
      return;
    }
    dragged.classList.remove("opacity-50");
    dragged = null;
    var order = Array.prototype.map.call(body.rows, function (row) { return row.dataset.id; }).join(",");
    if (order !== form.elements.order.value) {
      form.elements.order.value = order;
      form.submit();
    }
  });
})();

// Password strength hint while typing (the server gives the same hint on submit, and decides).
(function () {
  var input = document.querySelector("input[data-strength]");
  var hint = document.getElementById("password-strength");
  if (!input || !hint) {
    return;
  }
  hint.hidden = false;
  var labels = JSON.parse(hint.dataset.labels || "{}");
  function score(value) {
    var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) { return re.test(value); }).length;
    var distinct = new Set(value.split("")).size;
    if (value.length < 12 || distinct < 5) { return 0; }
    if (value.length >= 20 || (value.length >= 16 && kinds >= 2)) { return 4; }
    if (value.length >= 14 || kinds >= 3) { return 3; }
    return 2;
  }
  input.addEventListener("input", function () {
    hint.textContent = input.value ? (labels[score(input.value)] || "") : "";
  });
})();
